using System.Globalization;
using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Faults;
using ProdFlash.Emulator.StLink;
using ProdFlash.Testing;

namespace ProdFlash.Emulator.Tests.OpenOcd;

/// <summary>
/// Debian's OpenOCD 0.12, a tool nobody here wrote, drives the emulator over stlink-server TCP with both of its
/// ST-LINK drivers (dapdirect <c>st-link</c> and <c>hla</c>) and accepts it as a genuine ST-LINK with an STM32F103C8.
/// </summary>
public sealed class OpenOcdConformanceTests
{
    public static TheoryData<string> Drivers => new() { "dapdirect", "hla" };

    public static TheoryData<string, string> DriversAndProbes => new()
    {
        { "dapdirect", "v2j37" },
        { "hla", "v2j37" },
        { "dapdirect", "v21j40" },
        { "hla", "v21j40" },
        { "dapdirect", "v3j9" },
        { "hla", "v3j9" },
        { "dapdirect", "clone" },
    };

    [Theory]
    [MemberData(nameof(Drivers))]
    public async Task Examine_F103C8_FindsCortexM3AndSixtyFourKiBAndReadsIdentity(string driver)
    {
        // Arrange
        await using var bench = OpenOcdBench.Start();
        var flashSizeWord = OpenOcdBench.ReadWord(bench.Chip, 0x1FFF_F7E0);
        var uid = Enumerable.Range(0, 3).Select(i => OpenOcdBench.ReadWord(bench.Chip, 0x1FFF_F7E8 + (uint)(4 * i))).ToArray();

        // Act
        var run = await bench.RunAsync(driver, "flash probe 0", "mdw 0x1FFFF7E0", "mdw 0x1FFFF7E8 3");

        // Assert
        run.AssertSucceeded();
        if (driver == "dapdirect")
        {
            run.AssertPrinted("SWD DPIDR 0x1ba01477");
        }

        run.AssertPrinted("STLINK V2J37S7 (API v2) VID:PID 0483:3748");
        run.AssertPrinted("Target voltage: 3.299");
        run.AssertPrinted("Cortex-M3 r1p1 processor detected");
        run.AssertPrinted("device id = 0x20036410");
        run.AssertPrinted("flash size = 64 KiB");
        run.AssertPrinted("flash 'stm32f1x' found at 0x08000000");
        Assert.Equal(64u, flashSizeWord & 0xFFFF);
        run.AssertPrinted(string.Create(CultureInfo.InvariantCulture, $"0x1ffff7e0: {flashSizeWord:x8}"));
        run.AssertPrinted(string.Create(CultureInfo.InvariantCulture, $"0x1ffff7e8: {uid[0]:x8} {uid[1]:x8} {uid[2]:x8}"));
    }

    [Theory]
    [MemberData(nameof(Drivers))]
    public async Task OptionsRead_FreshF103_ReadsLevel0AndNoWriteProtection(string driver)
    {
        await using var bench = OpenOcdBench.Start();

        var run = await bench.RunAsync(driver, "reset halt", "stm32f1x options_read 0");

        run.AssertSucceeded();
        run.AssertPrinted("write protection register = 0xffffffff");
        run.AssertPrinted("read protection: off");
        run.AssertPrinted("watchdog: software");
        run.AssertPrinted("user data = 0xffff");
    }

    [Theory]
    [MemberData(nameof(DriversAndProbes))]
    public async Task ProgramVerify_HexImageWithoutWorkArea_LandsInTheEmulatedFlash(string driver, string personality)
    {
        // Arrange: 5000 bytes over five 1 KiB pages, ending mid-page.
        await using var bench = OpenOcdBench.Start(personality);
        using var temp = new TempDirectory();
        var image = Enumerable.Range(0, 5000).Select(i => (byte)((i * 131) ^ (i >> 8))).ToArray();
        var hexPath = temp.File("image.hex");
        await File.WriteAllTextAsync(hexPath, OpenOcdBench.IntelHex(0x0800_0000, image), TestContext.Current.CancellationToken);

        // Act
        var run = await bench.RunAsync(driver, "reset halt", $"program {hexPath} verify", "mdw 0x08000000 2");

        // Assert
        run.AssertSucceeded();
        run.AssertPrinted("** Programming Finished **");
        run.AssertPrinted("** Verified OK **");
        Assert.Equal(image, bench.Chip.MainFlash[..image.Length].ToArray());
        Assert.All(bench.Chip.MainFlash[image.Length..].ToArray(), b => Assert.Equal(0xFF, b));
        Assert.Equal(image.Length, bench.Chip.Counters.BytesProgrammed);
        run.AssertPrinted(string.Create(
            CultureInfo.InvariantCulture,
            $"0x08000000: {LittleEndianWord(image, 0):x8} {LittleEndianWord(image, 4):x8}"));
    }

    [Theory]
    [MemberData(nameof(Drivers))]
    public async Task Unlock_Rdp1Chip_ResetRegressesToLevel0WithAMassErase(string driver)
    {
        await using var bench = OpenOcdBench.Start(faults: new ChipFaults(Rdp1: true));

        var run = await bench.RunAsync(
            driver, "reset halt", "stm32f1x options_read 0", "stm32f1x unlock 0", "reset halt", "stm32f1x options_read 0", "mdw 0x08000000");

        run.AssertSucceeded();
        var protectedAt = run.Output.IndexOf("read protection: on", StringComparison.Ordinal);
        var unprotectedAt = run.Output.IndexOf("read protection: off", StringComparison.Ordinal);
        Assert.True(protectedAt >= 0 && unprotectedAt > protectedAt, $"expected 'on' then 'off'.\n{run}");
        run.AssertPrinted("0x08000000: ffffffff");
        Assert.Equal(1, bench.Chip.Counters.MassErases);
        Assert.All(bench.Chip.MainFlash.ToArray(), b => Assert.Equal(0xFF, b));
    }

    [Fact]
    public async Task MassErase_AfterProgramming_LeavesTheFlashErased()
    {
        await using var bench = OpenOcdBench.Start();
        using var temp = new TempDirectory();
        var hexPath = temp.File("ones.hex");
        await File.WriteAllTextAsync(hexPath, OpenOcdBench.IntelHex(0x0800_0000, new byte[1024]), TestContext.Current.CancellationToken);

        var run = await bench.RunAsync("dapdirect", "reset halt", $"program {hexPath}", "stm32f1x mass_erase 0", "mdw 0x08000000");

        run.AssertSucceeded();
        run.AssertPrinted("stm32x mass erase complete");
        run.AssertPrinted("0x08000000: ffffffff");
        Assert.Equal(1, bench.Chip.Counters.MassErases);
        Assert.All(bench.Chip.MainFlash.ToArray(), b => Assert.Equal(0xFF, b));
    }

    [Fact]
    public async Task OptionsRead_WriteProtectedFirstPages_ShowsTheClearedWrpBit()
    {
        await using var bench = OpenOcdBench.Start(faults: new ChipFaults(WriteProtectedPages: new HashSet<int> { 0, 1, 2, 3 }));

        var run = await bench.RunAsync("dapdirect", "reset halt", "stm32f1x options_read 0");

        run.AssertSucceeded();
        run.AssertPrinted("write protection register = 0xfffffffe");
    }

    [Fact]
    public async Task Dapdirect_V2j17_IsRefusedForFirmwareWithoutDapRegisterAccess()
    {
        await using var bench = OpenOcdBench.Start("v2j17");

        var run = await bench.RunAsync("dapdirect", "flash probe 0");

        Assert.NotEqual(0, run.ExitCode);
        run.AssertPrinted("STLINK V2J17S4 (API v2) VID:PID 0483:3748");
        run.AssertPrinted("ST-Link version does not support DAP direct transport");
    }

    [Fact]
    public async Task Hla_V2j17WithoutSixteenBitAccess_CannotProgramF1Flash()
    {
        // Without MEM_16BIT (J26) OpenOCD's HLA driver turns half-word writes into byte writes (OCD stlink_usb_write_mem),
        // which the F1 flash controller does not program.
        await using var bench = OpenOcdBench.Start("v2j17");
        using var temp = new TempDirectory();
        var hexPath = temp.File("old.hex");
        await File.WriteAllTextAsync(hexPath, OpenOcdBench.IntelHex(0x0800_0000, new byte[64]), TestContext.Current.CancellationToken);

        var run = await bench.RunAsync("hla", "reset halt", $"program {hexPath} verify");

        Assert.NotEqual(0, run.ExitCode);
        run.AssertPrinted("STLINK V2J17S4 (API v2) VID:PID 0483:3748");
        run.AssertPrinted("** Programming Failed **");
        Assert.Equal(0, bench.Chip.Counters.BytesProgrammed);
    }

    [Theory]
    [InlineData("v21j40", "STLINK V2J40M27 (API v2) VID:PID 0483:374B")]
    [InlineData("v3j9", "STLINK V3J9M3B5S1 (API v3) VID:PID 0483:374F")]
    public async Task Examine_OtherPersonalities_AreAcceptedWithTheirVersion(string personality, string banner)
    {
        await using var bench = OpenOcdBench.Start(personality);

        var run = await bench.RunAsync("dapdirect", "flash probe 0");

        run.AssertSucceeded();
        run.AssertPrinted(banner);
        run.AssertPrinted("SWD DPIDR 0x1ba01477");
        run.AssertPrinted("flash size = 64 KiB");
    }

    [Fact]
    public async Task AdapterSerial_TwoProbes_ProgramsOnlyTheSelectedBoard()
    {
        await using var bench = OpenOcdBench.Start(count: 2);
        var serial = bench.Server.Probes[1].Personality.Serial;
        using var temp = new TempDirectory();
        var image = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var hexPath = temp.File("small.hex");
        await File.WriteAllTextAsync(hexPath, OpenOcdBench.IntelHex(0x0800_0000, image), TestContext.Current.CancellationToken);

        var run = await bench.RunAsync("dapdirect", [$"adapter serial {serial}"], "reset halt", $"program {hexPath} verify");

        run.AssertSucceeded();
        run.AssertPrinted("** Verified OK **");
        Assert.Equal(image.Length, bench.Chips[1].Counters.BytesProgrammed);
        Assert.Equal(0, bench.Chips[0].Counters.BytesProgrammed);
        Assert.Equal(image, bench.Chips[1].MainFlash[..image.Length].ToArray());
    }

    [Theory]
    [MemberData(nameof(Drivers))]
    public async Task NoVcc_Board_ReportsZeroVoltsAndNoConnection(string driver)
    {
        await using var bench = OpenOcdBench.Start("v2j37", FaultSet.ParseList("no-vcc"));

        var run = await bench.RunAsync(driver, "flash probe 0");

        Assert.NotEqual(0, run.ExitCode);
        run.AssertPrinted("Target voltage: 0.000000");
        Assert.Equal(0, bench.Chip.Counters.BytesProgrammed);
    }

    [Fact]
    public async Task SwdRemap_PlainConnectFails_ConnectUnderResetFindsTheChip()
    {
        await using var bench = OpenOcdBench.Start("v2j37", FaultSet.ParseList("swd-remap"));

        var plain = await bench.RunAsync("dapdirect", "flash probe 0");
        var underReset = await bench.RunAsync("dapdirect", ["reset_config srst_only srst_nogate connect_assert_srst"], "flash probe 0");

        Assert.NotEqual(0, plain.ExitCode);
        plain.AssertPrinted("init mode failed (unable to connect to the target)");
        underReset.AssertSucceeded();
        underReset.AssertPrinted("SWD DPIDR 0x1ba01477");
        underReset.AssertPrinted("flash size = 64 KiB");
    }

    [Fact]
    public async Task FlakyWait_FivePercent_ProgramStillVerifies()
    {
        await using var bench = OpenOcdBench.Start("v2j37", FaultSet.ParseList("flaky-wait:0.05"));
        using var temp = new TempDirectory();
        var image = Enumerable.Range(0, 2048).Select(i => (byte)(i * 7)).ToArray();
        var hexPath = temp.File("flaky.hex");
        await File.WriteAllTextAsync(hexPath, OpenOcdBench.IntelHex(0x0800_0000, image), TestContext.Current.CancellationToken);

        var run = await bench.RunAsync("dapdirect", "reset halt", $"program {hexPath} verify");

        run.AssertSucceeded();
        run.AssertPrinted("** Verified OK **");
        Assert.True(bench.Server.Probes[0].Dap.WaitRetries > 0, "the flaky link never answered WAIT");
        Assert.Equal(image, bench.Chip.MainFlash[..image.Length].ToArray());
    }

    [Fact]
    public async Task UnplugDuringProgram_AtHalfTheFlash_OpenOcdLosesTheProbe()
    {
        await using var bench = OpenOcdBench.Start("v2j37", FaultSet.ParseList("unplug:program:50"));
        using var temp = new TempDirectory();
        var image = Enumerable.Range(0, 64 * 1024).Select(i => (byte)(i ^ 0x5A)).ToArray();
        var hexPath = temp.File("full.hex");
        await File.WriteAllTextAsync(hexPath, OpenOcdBench.IntelHex(0x0800_0000, image), TestContext.Current.CancellationToken);

        var run = await bench.RunAsync("dapdirect", "reset halt", $"program {hexPath} verify");

        Assert.NotEqual(0, run.ExitCode);
        Assert.DoesNotContain("** Verified OK **", run.Output, StringComparison.Ordinal);
        Assert.True(bench.Server.Probes[0].IsUnplugged, run.ToString());
        Assert.Equal(32 * 1024, bench.Chip.Counters.BytesProgrammed);
    }

    [Fact]
    public async Task UsbTimeoutDuringProgram_OpenOcdReportsTheServerTimeout()
    {
        await using var bench = OpenOcdBench.Start("v2j37", FaultSet.ParseList("usb-timeout:program:2"));
        using var temp = new TempDirectory();
        var hexPath = temp.File("timeout.hex");
        await File.WriteAllTextAsync(hexPath, OpenOcdBench.IntelHex(0x0800_0000, new byte[4096]), TestContext.Current.CancellationToken);

        var run = await bench.RunAsync("dapdirect", "reset halt", $"program {hexPath} verify");

        Assert.NotEqual(0, run.ExitCode);
        run.AssertPrinted("** Programming Failed **");
        run.AssertPrinted("TCP error status 0x1001");
        Assert.True(bench.Server.Probes[0].IsHung, run.ToString());
        Assert.InRange(bench.Chip.Counters.BytesProgrammed, 1311, 1312 + 2);
    }

    [Fact]
    public async Task TwoOpenOcds_AtOnce_EachProgramsItsOwnBoardThroughOneServer()
    {
        await using var bench = OpenOcdBench.Start(count: 2);
        using var temp = new TempDirectory();
        var images = new[] { new byte[2048], new byte[2048] };
        images[0].AsSpan().Fill(0x11);
        images[1].AsSpan().Fill(0x22);
        var paths = new[] { temp.File("a.hex"), temp.File("b.hex") };
        for (var i = 0; i < 2; i++)
        {
            await File.WriteAllTextAsync(paths[i], OpenOcdBench.IntelHex(0x0800_0000, images[i]), TestContext.Current.CancellationToken);
        }

        var runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(i => bench.RunAsync(
            i == 0 ? "dapdirect" : "hla", [$"adapter serial {bench.Server.Probes[i].Personality.Serial}"], "reset halt", $"program {paths[i]} verify")));

        foreach (var run in runs)
        {
            run.AssertSucceeded();
            run.AssertPrinted("** Verified OK **");
        }

        Assert.Equal(images[0], bench.Chips[0].MainFlash[..2048].ToArray());
        Assert.Equal(images[1], bench.Chips[1].MainFlash[..2048].ToArray());
    }

    private static uint LittleEndianWord(byte[] data, int offset) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset));
}

public sealed class OpenOcdTraceTests
{
    [Fact]
    public async Task Dapdirect_OpeningAndClosing_FollowTheLiveTraceOfSection24()
    {
        await using var bench = OpenOcdBench.Start();
        var probe = bench.Server.Probes[0];
        probe.StartRecording();

        var run = await bench.RunAsync("dapdirect", "flash probe 0");
        var trace = probe.Recorded();
        var lines = string.Join('\n', trace.Select(t => Convert.ToHexString(t.Command)));

        run.AssertSucceeded();
        Assert.True(trace.Count > 20, lines);
        Assert.Equal("F1", Head(trace[0], 1));
        Assert.Equal("F5", Head(trace[1], 1));
        Assert.Equal("F5", Head(trace[2], 1));
        Assert.Equal("F7", Head(trace[3], 1));
        Assert.Equal("F2431E03", Head(trace[4], 4)); // 5 kHz while mode is entered (§2.3 LIVE)
        Assert.Equal("F230A3", Head(trace[5], 3));
        Assert.Equal("F5", Head(trace[6], 1));
        Assert.Equal([0x02, 0x00], trace[6].Reply);
        Assert.Equal("F24B00", Head(trace[7], 3));
        Assert.Equal("F20700ED00E00400", Head(trace[8], 8)); // CPUID, 4 bytes
        Assert.Equal("F23E", Head(trace[9], 2));
        Assert.Contains(trace, t => Head(t, 10) == "F246FFFF040000000050" || Head(t, 10) == "F246FFFF040020000050");
        Assert.Equal(["F24C00", "F5", "F221"], trace.TakeLast(3).Select((t, i) => Head(t, i == 0 ? 3 : i == 1 ? 1 : 2)));
    }

    [Theory]
    [InlineData("dapdirect")]
    [InlineData("hla")]
    public async Task EveryCommandOpenOcdSends_IsKnownToTheEmulatedFirmware(string driver)
    {
        await using var bench = OpenOcdBench.Start();
        var probe = bench.Server.Probes[0];
        probe.StartRecording();
        using var temp = new ProdFlash.Testing.TempDirectory();
        var hexPath = temp.File("small.hex");
        await File.WriteAllTextAsync(hexPath, OpenOcdBench.IntelHex(0x0800_0000, new byte[1536]), TestContext.Current.CancellationToken);

        var run = await bench.RunAsync(driver, "reset halt", "stm32f1x options_read 0", $"program {hexPath} verify", "reset run");
        var trace = probe.Recorded();

        run.AssertSucceeded();
        Assert.DoesNotContain(trace, t => t.Reply is null);
        Assert.DoesNotContain(trace, t => t.Reply is [0x42, 0x00]);
    }

    private static string Head(StLinkTransaction transaction, int bytes) => Convert.ToHexString(transaction.Command, 0, bytes);
}

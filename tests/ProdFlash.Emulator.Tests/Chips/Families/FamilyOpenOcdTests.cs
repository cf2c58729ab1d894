using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Tests.OpenOcd;
using ProdFlash.Testing;

namespace ProdFlash.Emulator.Tests.Chips.Families;

/// <summary>Debian's OpenOCD 0.12 examines, probes and programs the F0/F4/G0/L4 models with its own flash drivers.</summary>
public sealed class FamilyOpenOcdTests
{
    [Fact]
    public async Task Examine_F407VG_FindsCortexM4AndOneMiB()
    {
        await using var bench = FamilyOpenOcdBench.Start("stm32f407vg");

        var run = await bench.RunAsync("target/stm32f4x.cfg", "flash probe 0");

        run.AssertSucceeded();
        run.AssertPrinted("SWD DPIDR 0x2ba01477");
        run.AssertPrinted("Cortex-M4 r0p1 processor detected");
        run.AssertPrinted("device id = 0x20010413");
        run.AssertPrinted("flash size = 1024 KiB");
    }

    [Theory]
    [InlineData("stm32f030f4", "target/stm32f0x.cfg", "SWD DPIDR 0x0bb11477", "Cortex-M0 r0p0 processor detected", "flash size = 16 KiB", "device id = 0x20000444", "flash 'stm32f1x' found at 0x08000000")]
    [InlineData("stm32g071rb", "target/stm32g0x.cfg", "SWD DPIDR 0x0bc11477", "Cortex-M0+ r0p1 processor detected", "flash size = 128 KiB", "device idcode = 0x20000460", "flash mode : single-bank")]
    [InlineData("stm32l476rg", "target/stm32l4x.cfg", "SWD DPIDR 0x2ba01477", "Cortex-M4 r0p1 processor detected", "flash size = 1024 KiB", "device idcode = 0x10070415", "flash mode : dual-bank")]
    public async Task Examine_Family_PrintsIdentityAndFlashSize(string part, string script, string dpidr, string core, string size, string idcode, string mode)
    {
        await using var bench = FamilyOpenOcdBench.Start(part);

        var run = await bench.RunAsync(script, "flash probe 0");

        run.AssertSucceeded();
        run.AssertPrinted(dpidr);
        run.AssertPrinted(core);
        run.AssertPrinted(size);
        run.AssertPrinted(idcode);
        run.AssertPrinted(mode);
    }

    [Theory]
    [InlineData("stm32f407vg", "target/stm32f4x.cfg", 40000, 16384)]
    [InlineData("stm32f030f4", "target/stm32f0x.cfg", 5000, 1024)]
    [InlineData("stm32g071rb", "target/stm32g0x.cfg", 5000, 2048)]
    [InlineData("stm32l476rg", "target/stm32l4x.cfg", 5000, 2048)]
    public async Task ProgramVerify_WithoutWorkArea_LandsInTheEmulatedFlash(string part, string script, int length, int padding)
    {
        // Arrange
        await using var bench = FamilyOpenOcdBench.Start(part);
        using var temp = new TempDirectory();
        var image = Enumerable.Range(0, length).Select(i => (byte)((i * 131) ^ (i >> 8))).ToArray();
        var hexPath = temp.File("image.hex");
        await File.WriteAllTextAsync(hexPath, OpenOcdBench.IntelHex(0x0800_0000, image), TestContext.Current.CancellationToken);

        // Act
        var run = await bench.RunAsync(script, "reset halt", $"program {hexPath} verify");

        // Assert
        run.AssertSucceeded();
        run.AssertPrinted("** Programming Finished **");
        run.AssertPrinted("** Verified OK **");
        Assert.Equal(image, bench.Chip.MainFlash[..image.Length].ToArray());
        Assert.All(bench.Chip.MainFlash[image.Length..].ToArray(), b => Assert.Equal(0xFF, b));
        Assert.InRange(bench.Chip.BytesProgrammed, length, length + padding); // OpenOCD pads the last sector/page with 0xFF
    }

    [Theory]
    [InlineData("stm32l476rg", "target/stm32l4x.cfg")]
    [InlineData("stm32g071rb", "target/stm32g0x.cfg")]
    public async Task UnlockAndOptionLoad_Rdp1Chip_RegressesToLevel0WithAMassErase(string part, string script)
    {
        await using var bench = FamilyOpenOcdBench.Start(part, new ChipFaults(Rdp1: true));

        var run = await bench.RunAsync(script, "reset halt", "stm32l4x unlock 0", "reset halt", "flash probe 0", "stm32l4x option_load 0", "reset halt", "flash probe 0");

        run.AssertPrinted("RDP level 1 (0x00)");
        run.AssertPrinted("RDP level 0 (0xAA)");
        Assert.Equal(bench.Chip.Spec.FlashSize, bench.Chip.BytesErased);
        Assert.True(run.Output.IndexOf("RDP level 0", StringComparison.Ordinal) > run.Output.LastIndexOf("RDP level 1", StringComparison.Ordinal), run.ToString());
    }

    [Fact]
    public async Task OptionsWrite_F407_UserBitsRoundTripThroughOptstrt()
    {
        await using var bench = FamilyOpenOcdBench.Start("stm32f407vg");

        var run = await bench.RunAsync("target/stm32f4x.cfg", "reset halt", "stm32f2x options_read 0", "stm32f2x options_write 0 0xcc", "stm32f2x options_read 0");

        run.AssertSucceeded();
        run.AssertPrinted("stm32f2x user_options 0xEC"); // WDG_SW, nRST_STOP, nRST_STDBY of the factory 0x0FFFAAED
        run.AssertPrinted("stm32f2x write options complete.");
        run.AssertPrinted("stm32f2x user_options 0xCC");
        var controller = Assert.IsType<Stm32F4FlashController>(bench.Chip.Flash);
        Assert.Equal(0x0FFFAACCu, controller.StoredOptcr); // hardware watchdog now; RDP and nWRP untouched
    }

    [Fact]
    public async Task OptionsRead_F030Rdp1_ShowsProtectionThenUnlockAndOptionsLoadRegress()
    {
        await using var bench = FamilyOpenOcdBench.Start("stm32f030f4", new ChipFaults(Rdp1: true));

        var run = await bench.RunAsync("target/stm32f0x.cfg", "reset halt", "stm32f1x options_read 0", "stm32f1x unlock 0", "stm32f1x options_load 0", "reset halt", "stm32f1x options_read 0");

        run.AssertSucceeded();
        run.AssertPrinted("option byte register = 0xffffff02"); // RDPRT = 01, USER 0xFF
        run.AssertPrinted("stm32x unlocked.");
        run.AssertPrinted("option byte register = 0xffffff00");
        Assert.True(run.Output.IndexOf("read protection: off", StringComparison.Ordinal) > run.Output.IndexOf("read protection: on", StringComparison.Ordinal), run.ToString());
        Assert.Equal(bench.Chip.Spec.FlashSize, bench.Chip.BytesErased);
        Assert.DoesNotContain("timed out", run.Output, StringComparison.Ordinal);
    }
}

using System.Globalization;
using System.Text.RegularExpressions;

using ProdFlash.Core.Probes;
using ProdFlash.Core.Targets;
using ProdFlash.Emulator.Tests.OpenOcd;
using ProdFlash.Probes.Arm;
using ProdFlash.Probes.Selection;
using ProdFlash.Probes.StLink;
using ProdFlash.Testing;

namespace ProdFlash.Emulator.Tests.Driver;

/// <summary>
/// Our stlink-server client and Debian's OpenOCD 0.12 on the same emulated stlink-server endpoint see the same chip,
/// and what OpenOCD programs our client reads back byte for byte.
/// </summary>
public sealed partial class TcpClientBesideOpenOcdTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Identity_OpenOcdThenOurClient_SameDpidrCpuidUidAndFlashSize()
    {
        // Arrange
        await using var bench = OpenOcdBench.Start();
        var run = await bench.RunAsync("dapdirect", "mdw 0xE000ED00", "mdw 0x1FFFF7E0", "mdw 0x1FFFF7E8 3");
        run.AssertSucceeded();
        var openOcdDpidr = uint.Parse(DpidrLine().Match(run.Output).Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var openOcdCpuid = Words(run.Output, 0xE000ED00)[0];
        var openOcdFlashSize = Words(run.Output, 0x1FFFF7E0)[0] & 0xFFFF;
        var openOcdUid = Words(run.Output, 0x1FFFF7E8);

        // Act
        await using var probe = (StLinkTarget)await new StLinkProbeProvider().OpenAsync(ProbeSelector.Parse($"stlink://tcp/127.0.0.1:{bench.Server.Port}"), Ct);
        var connection = await probe.ConnectAsync(Ct);
        var flashSize = await probe.Memory.ReadUInt16Async(0x1FFF_F7E0, Ct);
        var uid = new uint[3];
        for (var i = 0; i < 3; i++)
        {
            uid[i] = await probe.Memory.ReadUInt32Async(0x1FFF_F7E8 + (uint)(4 * i), Ct);
        }

        // Assert
        Assert.Equal(0x1BA01477u, openOcdDpidr);
        Assert.Equal(openOcdDpidr, connection.DpIdr);
        Assert.Equal(openOcdCpuid, probe.Cpuid);
        Assert.Equal(openOcdFlashSize, flashSize);
        Assert.Equal(openOcdUid, uid);
        Assert.Equal(CortexM.AutoIncrementBoundary(openOcdCpuid), probe.Probe.AutoIncrementBoundary);
    }

    [Theory]
    [InlineData("v2j37")]
    [InlineData("v3j9")]
    public async Task Flash_OpenOcdProgramsHexWithVerify_OurClientReadsTheSameBytes(string personality)
    {
        // Arrange: 7000 bytes over seven 1 KiB pages, ending mid-page.
        await using var bench = OpenOcdBench.Start(personality);
        using var temp = new TempDirectory();
        var image = Enumerable.Range(0, 7000).Select(i => (byte)((i * 151) ^ (i >> 5))).ToArray();
        var hexPath = temp.File("image.hex");
        await File.WriteAllTextAsync(hexPath, OpenOcdBench.IntelHex(0x0800_0000, image), Ct);
        var run = await bench.RunAsync("hla", "reset halt", $"program {hexPath} verify");
        run.AssertSucceeded();
        run.AssertPrinted("** Verified OK **");

        // Act
        await using var probe = await new StLinkProbeProvider().OpenAsync(ProbeSelector.Parse($"stlink://tcp/127.0.0.1:{bench.Server.Port}/{bench.Server.Probes[0].Personality.Serial}"), Ct);
        await probe.ConnectAsync(Ct);
        var back = new byte[image.Length + 8];
        await probe.Memory.ReadAsync(0x0800_0000, back, AccessWidth.Word, Ct);

        // Assert
        Assert.Equal(image, back[..image.Length]);
        Assert.All(back[image.Length..], b => Assert.Equal(0xFF, b));
    }

    [Fact]
    public async Task Server_OpenOcdAndOurClientOneAfterTheOther_ServerListsTheProbeFreeAgain()
    {
        await using var bench = OpenOcdBench.Start();
        var selector = ProbeSelector.Parse($"stlink://tcp/127.0.0.1:{bench.Server.Port}");
        await using (var ours = await new StLinkProbeProvider().OpenAsync(selector, Ct))
        {
            await ours.ConnectAsync(Ct);
        }

        var run = await bench.RunAsync("dapdirect", "mdw 0x1FFFF7E0");

        run.AssertSucceeded();
        run.AssertPrinted("STLINK V2J37S7 (API v2) VID:PID 0483:3748");
    }

    private static uint[] Words(string output, uint address)
    {
        var line = Regex.Match(output, string.Create(CultureInfo.InvariantCulture, $"0x{address:x8}: ((?:[0-9a-f]{{8}} ?)+)"));
        Assert.True(line.Success, $"OpenOCD printed no line for 0x{address:x8}:\n{output}");
        return [.. line.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => uint.Parse(w, NumberStyles.HexNumber, CultureInfo.InvariantCulture))];
    }

    [GeneratedRegex("SWD DPIDR 0x([0-9a-f]{8})")]
    private static partial Regex DpidrLine();
}

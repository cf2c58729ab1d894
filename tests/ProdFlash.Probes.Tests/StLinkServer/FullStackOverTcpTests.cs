using ProdFlash.Core.Targets;
using ProdFlash.Probes.Arm;
using ProdFlash.Probes.StLink;
using ProdFlash.Probes.StLinkServer;
using ProdFlash.Probes.Tests.StLink;

namespace ProdFlash.Probes.Tests.StLinkServer;

public sealed class FullStackOverTcpTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StLinkTarget_OverStLinkServerTcp_ConnectsReadsRomTableWritesAndReadsMemory()
    {
        var chip = new ScriptedSwdTarget();
        chip.Words[CortexM.Cpuid] = 0x411FC231;
        chip.Words[0xE00FFFD0] = 0x00;
        chip.Words[0xE00FFFE0] = 0x10;
        chip.Words[0xE00FFFE4] = 0x04;
        chip.Words[0xE00FFFE8] = 0x0A;
        chip.Words[0xE00FFFF0] = 0x0D;
        chip.Words[0xE00FFFF4] = 0x10;
        chip.Words[0xE00FFFF8] = 0x05;
        chip.Words[0xE00FFFFC] = 0xB1;
        await using var server = new RoutingStLinkServer(chip.Respond);
        var payload = Enumerable.Range(0, 2048).Select(i => (byte)(i * 7)).ToArray();
        var readBack = new byte[payload.Length];

        var wire = await StLinkServerClient.OpenWireAsync("127.0.0.1", server.Port, "0123456789ABCDEF01234567", Ct);
        var probe = new StLinkProbe(wire);
        var info = await probe.OpenAsync(Ct);
        TargetConnection connection;
        RomTable table;
        await using (var target = new StLinkTarget(probe))
        {
            connection = await target.ConnectAsync(Ct);
            table = await RomTable.ReadAsync(target.Memory, 0xE00FF003, Ct);
            await target.Memory.WriteAsync(0x20000000, payload, AccessWidth.Word, Ct);
            await target.Memory.ReadAsync(0x20000000, readBack, AccessWidth.Word, Ct);
        }

        Assert.Equal("V2J37S7", info.FirmwareName);
        Assert.Equal(0x1BA01477u, connection.DpIdr);
        Assert.Equal("STMicroelectronics", table.Identity.Designer.Name);
        Assert.Equal(0x410, table.Identity.Part);
        Assert.Equal(payload, readBack);
        Assert.True(server.Closed);
        Assert.True(server.UsbCommands > 10);
    }
}

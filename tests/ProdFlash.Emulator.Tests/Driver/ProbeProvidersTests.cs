using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Probes;
using ProdFlash.Core.Targets;
using ProdFlash.Emulator.Selection;
using ProdFlash.Probes.StLink;

namespace ProdFlash.Emulator.Tests.Driver;

/// <summary>The registry picks the provider by scheme; the emulator provider opens slots through the real driver.</summary>
public sealed class ProbeProvidersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OpenAsync_EmulatorSelector_OpenedStLinkTargetOfThatPersonality()
    {
        var providers = new ProbeProviders([new EmulatorProbeProvider()]);

        await using var probe = await providers.OpenAsync("emulator://stm32f103c8?probe=v3j9", Ct);

        var target = Assert.IsType<StLinkTarget>(probe);
        Assert.Equal("V3J9M3B5S1", probe.Description.Firmware);
        Assert.Equal((ushort)0x374F, target.Probe.Info.ProductId);
    }

    [Fact]
    public async Task OpenAsync_GdbSelectorWithoutGdbProvider_SaysNoProviderForGdb()
    {
        var providers = new ProbeProviders([new EmulatorProbeProvider()]);

        var error = await Assert.ThrowsAsync<ProbeOpenException>(async () => await providers.OpenAsync("gdb://127.0.0.1:3333", Ct));

        Assert.Contains("no provider for gdb:// probes", error.Message, StringComparison.Ordinal);
        Assert.Contains("emulator://", error.Message, StringComparison.Ordinal);
        Assert.Equal(FailureCode.ProbeNotFound, error.Code);
    }

    [Fact]
    public async Task OpenAsync_SchemeWithoutProvider_ListsRegisteredSchemes()
    {
        var providers = new ProbeProviders([new EmulatorProbeProvider()]);

        var error = await Assert.ThrowsAsync<ProbeOpenException>(async () => await providers.OpenAsync("stlink://usb?port=1-4.2", Ct));

        Assert.Equal("'stlink://usb?port=1-4.2': this program has no provider for stlink:// probes; it opens emulator://.", error.Message);
    }

    [Fact]
    public void Constructor_TwoProvidersForOneScheme_Refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new ProbeProviders([new EmulatorProbeProvider(), new EmulatorProbeProvider()]));

        Assert.Contains("Two providers claim scheme 'emulator'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_UnknownPersonality_SelectorErrorNamingThePersonalities()
    {
        var provider = new EmulatorProbeProvider();

        var error = await Assert.ThrowsAsync<ProbeSelectorException>(async () => await provider.OpenAsync(ProbeSelector.Parse("emulator://stm32f103c8?probe=v9"), Ct));

        Assert.Contains("Unknown probe personality 'v9'", error.Message, StringComparison.Ordinal);
        Assert.Contains("v2j37, v2j17, v21j40, v3j9, clone", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_SameSelectorTwice_SameChipKeepsWhatWasWritten()
    {
        var provider = new EmulatorProbeProvider();
        var selector = ProbeSelector.Parse("emulator://stm32f103c8");
        await using (var first = await provider.OpenAsync(selector, Ct))
        {
            await first.ConnectAsync(Ct);
            await first.Memory.WriteUInt32Async(0x2000_0000, 0xC0FFEE11, Ct);
        }

        await using var second = await provider.OpenAsync(selector, Ct);
        await second.ConnectAsync(Ct);
        var value = await second.Memory.ReadUInt32Async(0x2000_0000, Ct);

        Assert.Equal(0xC0FFEE11u, value);
    }

    [Fact]
    public async Task OpenAsync_TwoSelectors_DistinctSerialsAndUids()
    {
        var provider = new EmulatorProbeProvider();

        var a = provider.Slot(ProbeSelector.Parse("emulator://stm32f103c8?probe=v2j37"));
        var b = provider.Slot(ProbeSelector.Parse("emulator://stm32f103c8?probe=v2j37&faults=low-vcc"));
        await using var probeA = await provider.OpenAsync(ProbeSelector.Parse("emulator://stm32f103c8?probe=v2j37"), Ct);

        Assert.NotEqual(a.Personality.Serial, b.Personality.Serial);
        Assert.Contains(a.Personality.Serial, probeA.Description.Location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_UnpluggedAtConnect_StaysUnpluggedAcrossReopen()
    {
        var provider = new EmulatorProbeProvider();
        var selector = ProbeSelector.Parse("emulator://stm32f103c8?faults=unplug:connect");
        await using (var first = await provider.OpenAsync(selector, Ct))
        {
            var error = await Assert.ThrowsAsync<TargetException>(async () => await first.ConnectAsync(Ct));
            Assert.Equal(TargetErrorKind.ProbeTransport, error.Kind);
        }

        var reopen = await Assert.ThrowsAsync<ProbeOpenException>(async () => await provider.OpenAsync(selector, Ct));

        Assert.Equal(FailureCode.ProbeNotFound, reopen.Code);
    }

    [Fact]
    public async Task OpenAsync_RealTimeOption_TransactionsTakeTheirModeledTimeOnTheWallClock()
    {
        var provider = new EmulatorProbeProvider(new EmulatorProbeProviderOptions { RealTime = true });
        await using var probe = (StLinkTarget)await provider.OpenAsync(ProbeSelector.Parse("emulator://stm32f103c8?probe=v2j37"), Ct);
        var wall = System.Diagnostics.Stopwatch.StartNew();

        for (var i = 0; i < 40; i++)
        {
            await probe.ReadTargetVoltageAsync(Ct); // one full-speed USB round trip each: 1 ms modeled (StLinkPersonality.UsbRoundTrip)
        }

        Assert.True(wall.Elapsed >= TimeSpan.FromMilliseconds(30), $"40 round trips of 1 ms took {wall.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task OpenAsync_BothProviders_EachSelectorGoesToItsScheme()
    {
        var served = EmulatedProbes.Create("stm32f103c8", "v21j40", ProdFlash.Emulator.Faults.FaultSet.None, 0, TimeProvider.System, realTime: false);
        await using var server = new ProdFlash.Emulator.Server.StLinkServer([served]);
        server.Start(0);
        var providers = new ProbeProviders([new ProdFlash.Probes.Selection.StLinkProbeProvider(), new EmulatorProbeProvider()]);

        await using var viaServer = await providers.OpenAsync($"stlink://tcp/127.0.0.1:{server.Port}", Ct);
        await using var inProcess = await providers.OpenAsync("emulator://stm32f103c8?probe=v3j9", Ct);

        Assert.Equal(["emulator", "stlink"], providers.Schemes);
        Assert.StartsWith("stlink-server 127.0.0.1:", viaServer.Description.Location, StringComparison.Ordinal);
        Assert.Equal("V2J40M27", viaServer.Description.Firmware);
        Assert.StartsWith("emulated ST-LINK V3J9M3B5S1", inProcess.Description.Location, StringComparison.Ordinal);
        Assert.True(served.Transactions > 0);
    }
}

using Microsoft.Extensions.Time.Testing;
using ProdFlash.Core.Targets;
using ProdFlash.Emulator.StLink;
using ProdFlash.Probes.StLink;

namespace ProdFlash.Emulator.Tests.Clones;

/// <summary>An <c>emulator://</c> slot opened through our own ST-LINK driver, as the programming engine opens it.</summary>
internal sealed class EmulatedSlot : IAsyncDisposable
{
    private EmulatedSlot(EmulatedStLink emulated, StLinkTarget target)
    {
        Emulated = emulated;
        Target = target;
    }

    public EmulatedStLink Emulated { get; }

    public StLinkTarget Target { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens the slot <paramref name="selector"/> names; the driver retries WAIT twice (1 ms, 2 ms back-off).</summary>
    public static async Task<EmulatedSlot> OpenAsync(string selector)
    {
        var emulated = EmulatedProbes.Create(EmulatorSelector.Parse(selector), 0, new FakeTimeProvider());
        var probe = new StLinkProbe(new EmulatedStLinkWire(emulated), new StLinkProbeOptions { MaxWaitRetries = 2 });
        await probe.OpenAsync(Ct);
        return new EmulatedSlot(emulated, new StLinkTarget(probe));
    }

    public ValueTask<uint> ReadWordAsync(uint address) => Target.ReadUInt32Async(address, Ct);

    public ValueTask<TargetConnection> ConnectAsync() => Target.ConnectAsync(Ct);

    /// <summary>DHCSR (ARMv7-M ARM C1.6.2).</summary>
    public const uint Dhcsr = 0xE000EDF0;

    /// <summary>DEMCR (ARMv7-M ARM C1.6.5).</summary>
    public const uint Demcr = 0xE000EDFC;

    /// <summary>DHCSR write: DBGKEY 0xA05F, C_HALT, C_DEBUGEN.</summary>
    public const uint DhcsrHaltDebugEn = 0xA05F0003;

    /// <summary>DEMCR.VC_CORERESET: halt on the reset vector.</summary>
    public const uint DemcrVcCoreReset = 1;

    /// <summary>
    /// Connects while NRST is held low; with <paramref name="haltOnReset"/> asks for a halt on the reset vector
    /// (DHCSR C_HALT|C_DEBUGEN, DEMCR.VC_CORERESET) as the engine does; then releases NRST.
    /// </summary>
    public async Task<TargetConnection> ConnectUnderResetAsync(bool haltOnReset = true)
    {
        await Target.DriveResetLineAsync(ResetLineAction.Assert, Ct);
        var connection = await Target.ConnectAsync(Ct);
        if (haltOnReset)
        {
            await Target.WriteUInt32Async(Dhcsr, DhcsrHaltDebugEn, Ct);
            await Target.WriteUInt32Async(Demcr, await ReadWordAsync(Demcr) | DemcrVcCoreReset, Ct);
        }

        await Target.DriveResetLineAsync(ResetLineAction.Release, Ct);
        return connection;
    }

    public ValueTask DisposeAsync() => Target.DisposeAsync();
}

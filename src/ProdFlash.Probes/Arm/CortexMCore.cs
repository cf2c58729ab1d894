using System.Globalization;

using ProdFlash.Core.Targets;

namespace ProdFlash.Probes.Arm;

/// <summary>
/// Cortex-M core control through memory-mapped debug registers: halt and run through DHCSR, reset with a vector
/// catch through DEMCR and AIRCR, core registers through DCRSR/DCRDR (ARMv7-M ARM C1.6, B3.2.6).
/// </summary>
/// <remarks>Not thread-safe (one owner per probe). Every poll is bounded by <see cref="StateTimeout"/>.</remarks>
public sealed class CortexMCore : ICoreControl
{
    private readonly ITargetMemory _memory;
    private readonly TimeProvider _time;

    /// <summary>Creates the core view over the target memory map.</summary>
    /// <param name="memory">Memory access (an ST-LINK's memory commands or a MEM-AP).</param>
    /// <param name="timeProvider">Clock for the poll bounds; the system clock by default.</param>
    public CortexMCore(ITargetMemory memory, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(memory);
        _memory = memory;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How long a halt, a reset or a register transfer may take before <see cref="TargetErrorKind.StateTimeout"/>.</summary>
    public TimeSpan StateTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Upper bound on DHCSR reads per wait, so a clock that does not advance (virtual time) still ends it.</summary>
    public int MaxPolls { get; init; } = 1000;

    /// <inheritdoc />
    public async ValueTask<CoreState> GetStateAsync(CancellationToken cancellationToken) =>
        Decode(await _memory.ReadUInt32Async(CortexM.Dhcsr, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async ValueTask HaltAsync(CancellationToken cancellationToken)
    {
        await _memory.WriteUInt32Async(CortexM.Dhcsr, CortexM.DhcsrDebugKey | CortexM.DhcsrCDebugEn | CortexM.DhcsrCHalt, cancellationToken).ConfigureAwait(false);
        await WaitForAsync(CortexM.DhcsrSHalt, "halt", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask RunAsync(CancellationToken cancellationToken) =>
        await _memory.WriteUInt32Async(CortexM.Dhcsr, CortexM.DhcsrDebugKey | CortexM.DhcsrCDebugEn, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    /// <remarks>
    /// C_MASKINTS may change only while the core is halted (ARMv7-M ARM C1.6.2, "UNPREDICTABLE" otherwise): it is set
    /// with C_HALT still set, then C_HALT is cleared with C_MASKINTS kept.
    /// </remarks>
    public async ValueTask RunMaskedAsync(CancellationToken cancellationToken)
    {
        await _memory.WriteUInt32Async(CortexM.Dhcsr, CortexM.DhcsrDebugKey | CortexM.DhcsrCDebugEn | CortexM.DhcsrCHalt | CortexM.DhcsrCMaskInts, cancellationToken).ConfigureAwait(false);
        await _memory.WriteUInt32Async(CortexM.Dhcsr, CortexM.DhcsrDebugKey | CortexM.DhcsrCDebugEn | CortexM.DhcsrCMaskInts, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask ResetAndHaltAsync(CancellationToken cancellationToken)
    {
        await _memory.WriteUInt32Async(CortexM.Dhcsr, CortexM.DhcsrDebugKey | CortexM.DhcsrCDebugEn | CortexM.DhcsrCHalt, cancellationToken).ConfigureAwait(false);
        var demcr = await _memory.ReadUInt32Async(CortexM.Demcr, cancellationToken).ConfigureAwait(false);
        await _memory.WriteUInt32Async(CortexM.Demcr, demcr | CortexM.DemcrVcCoreReset, cancellationToken).ConfigureAwait(false);
        await RequestSystemResetAsync(cancellationToken).ConfigureAwait(false);
        await WaitForAsync(CortexM.DhcsrSHalt, "halt on the reset vector", cancellationToken).ConfigureAwait(false);
        await _memory.WriteUInt32Async(CortexM.Demcr, demcr & ~CortexM.DemcrVcCoreReset, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask ResetAndRunAsync(CancellationToken cancellationToken)
    {
        var demcr = await _memory.ReadUInt32Async(CortexM.Demcr, cancellationToken).ConfigureAwait(false);
        if ((demcr & CortexM.DemcrVcCoreReset) != 0)
        {
            await _memory.WriteUInt32Async(CortexM.Demcr, demcr & ~CortexM.DemcrVcCoreReset, cancellationToken).ConfigureAwait(false);
        }

        await _memory.WriteUInt32Async(CortexM.Dhcsr, CortexM.DhcsrDebugKey | CortexM.DhcsrCDebugEn, cancellationToken).ConfigureAwait(false);
        await RequestSystemResetAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<uint> ReadRegisterAsync(CoreRegister register, CancellationToken cancellationToken)
    {
        await RequireHaltedAsync(cancellationToken).ConfigureAwait(false);
        await _memory.WriteUInt32Async(CortexM.Dcrsr, (uint)register & CortexM.DcrsrRegSelMask, cancellationToken).ConfigureAwait(false);
        await WaitForAsync(CortexM.DhcsrSRegRdy, $"register {register} transfer", cancellationToken).ConfigureAwait(false);
        return await _memory.ReadUInt32Async(CortexM.Dcrdr, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask WriteRegisterAsync(CoreRegister register, uint value, CancellationToken cancellationToken)
    {
        await RequireHaltedAsync(cancellationToken).ConfigureAwait(false);
        await _memory.WriteUInt32Async(CortexM.Dcrdr, value, cancellationToken).ConfigureAwait(false);
        await _memory.WriteUInt32Async(CortexM.Dcrsr, CortexM.DcrsrRegWnR | ((uint)register & CortexM.DcrsrRegSelMask), cancellationToken).ConfigureAwait(false);
        await WaitForAsync(CortexM.DhcsrSRegRdy, $"register {register} transfer", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Decodes DHCSR status bits.</summary>
    public static CoreState Decode(uint dhcsr) => new(
        (dhcsr & CortexM.DhcsrSHalt) != 0,
        (dhcsr & CortexM.DhcsrSSleep) != 0,
        (dhcsr & CortexM.DhcsrSLockup) != 0,
        (dhcsr & CortexM.DhcsrSResetSt) != 0,
        dhcsr);

    private async ValueTask RequestSystemResetAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _memory.WriteUInt32Async(CortexM.Aircr, CortexM.AircrVectKey | CortexM.AircrSysResetReq, cancellationToken).ConfigureAwait(false);
        }
        catch (TargetMemoryFaultException)
        {
            // The reset can cut the bus transaction that requested it; OpenOCD ignores this write's error too.
            // Whether the reset happened is checked by the poll that follows (S_HALT, or the next access).
        }
    }

    private async ValueTask RequireHaltedAsync(CancellationToken cancellationToken)
    {
        var state = await GetStateAsync(cancellationToken).ConfigureAwait(false);
        if (!state.Halted)
        {
            throw new TargetException(TargetErrorKind.InvalidRequest, string.Create(CultureInfo.InvariantCulture, $"Core registers can only be accessed while the core is halted (DHCSR 0x{state.RawDhcsr:X8}): halt it first."));
        }
    }

    private async ValueTask WaitForAsync(uint bit, string what, CancellationToken cancellationToken)
    {
        var start = _time.GetTimestamp();
        for (var polls = 1; ; polls++)
        {
            var dhcsr = await _memory.ReadUInt32Async(CortexM.Dhcsr, cancellationToken).ConfigureAwait(false);
            if ((dhcsr & bit) != 0)
            {
                return;
            }

            if (_time.GetElapsedTime(start) > StateTimeout || polls >= MaxPolls)
            {
                var state = Decode(dhcsr);
                var hint = state.LockedUp ? " The core is locked up." : state.Sleeping ? " The core is sleeping." : string.Empty;
                throw new TargetException(
                    TargetErrorKind.StateTimeout,
                    string.Create(CultureInfo.InvariantCulture, $"The core did not complete the {what} within {_time.GetElapsedTime(start).TotalMilliseconds:0} ms and {polls} polls (last DHCSR 0x{dhcsr:X8}).{hint} Retry connecting under reset."));
            }
        }
    }
}

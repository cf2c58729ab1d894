namespace ProdFlash.Core.Targets;

/// <summary>Cortex-M core registers as numbered by DCRSR.REGSEL (ARMv7-M ARM C1.6.3, Table C1-6).</summary>
public enum CoreRegister
{
    /// <summary>R0.</summary>
    R0 = 0,

    /// <summary>R1.</summary>
    R1 = 1,

    /// <summary>R2.</summary>
    R2 = 2,

    /// <summary>R3.</summary>
    R3 = 3,

    /// <summary>R4.</summary>
    R4 = 4,

    /// <summary>R5.</summary>
    R5 = 5,

    /// <summary>R6.</summary>
    R6 = 6,

    /// <summary>R7.</summary>
    R7 = 7,

    /// <summary>R8.</summary>
    R8 = 8,

    /// <summary>R9.</summary>
    R9 = 9,

    /// <summary>R10.</summary>
    R10 = 10,

    /// <summary>R11.</summary>
    R11 = 11,

    /// <summary>R12.</summary>
    R12 = 12,

    /// <summary>The current stack pointer (R13).</summary>
    Sp = 13,

    /// <summary>The link register (R14).</summary>
    Lr = 14,

    /// <summary>The debug return address (R15, PC).</summary>
    Pc = 15,

    /// <summary>xPSR.</summary>
    Xpsr = 16,

    /// <summary>Main stack pointer.</summary>
    Msp = 17,

    /// <summary>Process stack pointer.</summary>
    Psp = 18,
}

/// <summary>The core's debug state as DHCSR reports it (ARMv7-M ARM C1.6.2).</summary>
/// <param name="Halted">S_HALT: the core is in debug state.</param>
/// <param name="Sleeping">S_SLEEP: the core is sleeping (WFI/WFE); memory access may WAIT.</param>
/// <param name="LockedUp">S_LOCKUP: the core is locked up after an unrecoverable exception.</param>
/// <param name="ResetSinceLastRead">S_RESET_ST: the core was reset since DHCSR was last read.</param>
/// <param name="RawDhcsr">The DHCSR value read, as evidence.</param>
public readonly record struct CoreState(bool Halted, bool Sleeping, bool LockedUp, bool ResetSinceLastRead, uint RawDhcsr);

/// <summary>Halt, run, reset and register access of one Cortex-M core.</summary>
/// <remarks>Not thread-safe (one owner per probe). Every wait is bounded and ends in <see cref="TargetException"/>
/// with <see cref="TargetErrorKind.StateTimeout"/>.</remarks>
public interface ICoreControl
{
    /// <summary>Reads DHCSR and decodes the core state.</summary>
    ValueTask<CoreState> GetStateAsync(CancellationToken cancellationToken);

    /// <summary>Halts the core and waits until it is halted.</summary>
    ValueTask HaltAsync(CancellationToken cancellationToken);

    /// <summary>Lets a halted core run.</summary>
    ValueTask RunAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Lets a halted core run code the debugger loaded (a flash loader) with interrupts masked, so that firmware that
    /// enabled SysTick or a peripheral interrupt before the probe halted it cannot take the core into its handlers
    /// (DHCSR.C_MASKINTS, set while the core is halted: ARMv7-M ARM C1.6.2). The mask lasts until the next
    /// <see cref="RunAsync"/> or reset.
    /// </summary>
    ValueTask RunMaskedAsync(CancellationToken cancellationToken);

    /// <summary>Resets the system (AIRCR.SYSRESETREQ) and halts the core on the reset vector.</summary>
    ValueTask ResetAndHaltAsync(CancellationToken cancellationToken);

    /// <summary>Resets the system (AIRCR.SYSRESETREQ) and lets it run.</summary>
    ValueTask ResetAndRunAsync(CancellationToken cancellationToken);

    /// <summary>Reads a core register; the core must be halted.</summary>
    ValueTask<uint> ReadRegisterAsync(CoreRegister register, CancellationToken cancellationToken);

    /// <summary>Writes a core register; the core must be halted.</summary>
    ValueTask WriteRegisterAsync(CoreRegister register, uint value, CancellationToken cancellationToken);
}

namespace ProdFlash.Probes.Gdb;

/// <summary>Tuning of a <see cref="GdbProbe"/>; the defaults suit OpenOCD, QEMU and the Black Magic Probe.</summary>
public sealed record GdbProbeOptions
{
    /// <summary>Packet-layer bounds (reply timeout, retransmits).</summary>
    public GdbChannelOptions Channel { get; init; } = new();

    /// <summary>How long a halt (interrupt until the stop reply) may take.</summary>
    public TimeSpan HaltTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one flash erase or <c>vFlashDone</c> may take (a whole-bank erase takes seconds on a real chip).</summary>
    public TimeSpan FlashTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Monitor commands that reset the target and leave it halted, tried in order until one is understood:
    /// OpenOCD's <c>reset halt</c>, QEMU's <c>system_reset</c> (QEMU keeps the machine stopped while GDB holds it).
    /// </summary>
    public IReadOnlyList<string> ResetHaltCommands { get; init; } = ["reset halt", "system_reset"];
}

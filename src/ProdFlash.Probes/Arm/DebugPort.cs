using System.Globalization;

using ProdFlash.Core.Targets;

namespace ProdFlash.Probes.Arm;

/// <summary>
/// The ADIv5 debug port over raw DP register access: DPIDR, the power-up handshake, sticky-error clearing and
/// AP/bank selection (ARM IHI 0031, ADIv5.2 B2.2).
/// </summary>
/// <remarks>Not thread-safe (one owner per probe). Caches SELECT: call <see cref="InvalidateSelect"/> after a line reset.</remarks>
public sealed class DebugPort
{
    private readonly IDapAccess _dap;
    private readonly TimeProvider _time;
    private uint? _select;

    /// <summary>Creates the DP view over <paramref name="dap"/>.</summary>
    /// <param name="dap">Raw DP/AP register access.</param>
    /// <param name="timeProvider">Clock for the power-up bound; the system clock by default.</param>
    public DebugPort(IDapAccess dap, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(dap);
        _dap = dap;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How long <see cref="PowerUpAsync"/> polls for both ACK bits (OpenOCD's DP init waits up to 1 s).</summary>
    public TimeSpan PowerUpTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Upper bound on CTRL/STAT reads in <see cref="PowerUpAsync"/>, so a clock that does not advance (virtual time)
    /// still ends the poll. Each poll is one probe transaction; there is no sleep between polls.
    /// </summary>
    public int MaxPowerUpPolls { get; init; } = 1000;

    /// <summary>Reads DPIDR (DP 0x0).</summary>
    public ValueTask<uint> ReadDpIdrAsync(CancellationToken cancellationToken) => _dap.ReadDpAsync(DpRegisters.DpIdr, cancellationToken);

    /// <summary>
    /// Requests system and debug power (CTRL/STAT = CSYSPWRUPREQ | CDBGPWRUPREQ, written like OpenOCD as
    /// 0x50000020) and polls CTRL/STAT until CSYSPWRUPACK and CDBGPWRUPACK are both set.
    /// </summary>
    /// <returns>The last CTRL/STAT value read.</returns>
    /// <exception cref="TargetException"><see cref="TargetErrorKind.StateTimeout"/> when the ACKs do not come within <see cref="PowerUpTimeout"/>.</exception>
    public async ValueTask<uint> PowerUpAsync(CancellationToken cancellationToken)
    {
        await _dap.WriteDpAsync(DpRegisters.CtrlStat, DpRegisters.PowerUpRequest, cancellationToken).ConfigureAwait(false);
        var start = _time.GetTimestamp();
        var polls = 0;
        while (true)
        {
            var ctrlStat = await _dap.ReadDpAsync(DpRegisters.CtrlStat, cancellationToken).ConfigureAwait(false);
            polls++;
            if ((ctrlStat & DpRegisters.PowerUpAcknowledge) == DpRegisters.PowerUpAcknowledge)
            {
                return ctrlStat;
            }

            if (_time.GetElapsedTime(start) > PowerUpTimeout || polls >= MaxPowerUpPolls)
            {
                throw new TargetException(
                    TargetErrorKind.StateTimeout,
                    string.Create(CultureInfo.InvariantCulture, $"The debug port did not acknowledge power-up within {_time.GetElapsedTime(start).TotalMilliseconds:0} ms ({polls} polls, last CTRL/STAT 0x{ctrlStat:X8}): check target power and that the target is not held in reset."));
            }
        }
    }

    /// <summary>Clears STICKYORUN, WDATAERR, STICKYERR and STICKYCMP through ABORT (0x1E).</summary>
    public ValueTask ClearStickyErrorsAsync(CancellationToken cancellationToken) =>
        _dap.WriteDpAsync(DpRegisters.Abort, DpRegisters.AbortClearAllSticky, cancellationToken);

    /// <summary>
    /// Writes SELECT for register <paramref name="address"/> of AP <paramref name="ap"/> unless it already holds that
    /// value. For probes whose <see cref="IDapAccess"/> passes AP accesses through raw; ST-LINK firmware selects itself.
    /// </summary>
    public async ValueTask SelectAsync(byte ap, byte address, CancellationToken cancellationToken)
    {
        var value = DpRegisters.SelectValue(ap, address);
        if (_select == value)
        {
            return;
        }

        await _dap.WriteDpAsync(DpRegisters.Select, value, cancellationToken).ConfigureAwait(false);
        _select = value;
    }

    /// <summary>Forgets the cached SELECT value (after a line reset or a DP error).</summary>
    public void InvalidateSelect() => _select = null;
}

using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Dap;

/// <summary>What one SWD transfer got back (ADIv5 §4.2 ACK, plus "no answer").</summary>
public enum SwdAck
{
    /// <summary>OK: the transfer completed.</summary>
    Ok,

    /// <summary>WAIT persisted beyond the probe firmware's retry bound.</summary>
    Wait,

    /// <summary>FAULT: a sticky error flag is set (or the access set one).</summary>
    Fault,

    /// <summary>No ACK at all: the target does not drive SWDIO (no power, pins remapped, RDP2, no-ack fault).</summary>
    NoAck,

    /// <summary>The read data arrived with a wrong parity bit (a noisy link).</summary>
    ParityError,
}

/// <summary>
/// The SW-DP and the AHB-AP (AP 0) of a Cortex-M, as the probe firmware sees them: DP ABORT, CTRL/STAT with the
/// power-up request/acknowledge handshake and sticky flags, SELECT, RDBUFF; AP CSW, TAR with auto-increment inside
/// its boundary, DRW with byte lanes, BD0-BD3, CFG, BASE, IDR. Every access charges one SWD transfer of modeled time.
/// </summary>
/// <remarks>
/// Register layout from ARM IHI 0031 (ADIv5) §2.3 (DP) and §7.2 (MEM-AP), as summarised in reference §5.2.
/// AP reads are presented non-posted, as the ST-LINK firmware presents them (it reads RDBUFF itself); RDBUFF then
/// holds the last AP read. A target answering <see cref="BusResult.Wait"/> is retried, one SWD access each, up to
/// <see cref="MaxWaitRetries"/> times. Not thread-safe: one probe transaction at a time.
/// </remarks>
public sealed class SwdDebugPort
{
    /// <summary>DP register address of DPIDR (read) / ABORT (write).</summary>
    public const int DpIdrOrAbort = 0x0;

    /// <summary>DP register address of CTRL/STAT.</summary>
    public const int DpCtrlStat = 0x4;

    /// <summary>DP register address of SELECT (write) / RESEND (read).</summary>
    public const int DpSelect = 0x8;

    /// <summary>DP register address of RDBUFF.</summary>
    public const int DpRdBuff = 0xC;

    /// <summary>AP register: CSW.</summary>
    public const int ApCsw = 0x00;

    /// <summary>AP register: TAR.</summary>
    public const int ApTar = 0x04;

    /// <summary>AP register: DRW.</summary>
    public const int ApDrw = 0x0C;

    /// <summary>AP register: BD0 (BD1-BD3 follow at +4).</summary>
    public const int ApBd0 = 0x10;

    /// <summary>AP register: CFG (0: little-endian, 32-bit addresses).</summary>
    public const int ApCfg = 0xF4;

    /// <summary>AP register: BASE.</summary>
    public const int ApBase = 0xF8;

    /// <summary>AP register: IDR.</summary>
    public const int ApIdr = 0xFC;

    /// <summary>CTRL/STAT CSYSPWRUPACK (bit 31), mirrors CSYSPWRUPREQ.</summary>
    public const uint CsysPwrUpAck = 1u << 31;

    /// <summary>CTRL/STAT CSYSPWRUPREQ (bit 30).</summary>
    public const uint CsysPwrUpReq = 1u << 30;

    /// <summary>CTRL/STAT CDBGPWRUPACK (bit 29), mirrors CDBGPWRUPREQ.</summary>
    public const uint CdbgPwrUpAck = 1u << 29;

    /// <summary>CTRL/STAT CDBGPWRUPREQ (bit 28).</summary>
    public const uint CdbgPwrUpReq = 1u << 28;

    /// <summary>CTRL/STAT WDATAERR (bit 7).</summary>
    public const uint WDataErr = 1u << 7;

    /// <summary>CTRL/STAT STICKYERR (bit 5).</summary>
    public const uint StickyErr = 1u << 5;

    /// <summary>CTRL/STAT STICKYCMP (bit 4).</summary>
    public const uint StickyCmp = 1u << 4;

    /// <summary>CTRL/STAT STICKYORUN (bit 1).</summary>
    public const uint StickyOrun = 1u << 1;

    /// <summary>ABORT STKCMPCLR (bit 1).</summary>
    public const uint AbortStkCmpClr = 1u << 1;

    /// <summary>ABORT STKERRCLR (bit 2).</summary>
    public const uint AbortStkErrClr = 1u << 2;

    /// <summary>ABORT WDERRCLR (bit 3).</summary>
    public const uint AbortWdErrClr = 1u << 3;

    /// <summary>ABORT ORUNERRCLR (bit 4).</summary>
    public const uint AbortOrunErrClr = 1u << 4;

    /// <summary>CSW reset value of the Cortex-M3 AHB-AP: HPROT[1:0] = 0b11, DeviceEn, 8-bit size (DDI0337 §11).</summary>
    public const uint CswResetValue = 0x0300_0040;

    /// <summary>CSW DeviceEn (bit 6), read-only 1 while the bus is reachable.</summary>
    public const uint CswDeviceEn = 1u << 6;

    /// <summary>CSW bits a debugger can write: Size[2:0], AddrInc[5:4], Prot[30:24].</summary>
    public const uint CswWritableMask = 0x7F00_0037;

    /// <summary>The retry bound for WAIT. Not public for ST's firmware; chosen so a 20 ms erase stall at 4 MHz SWD still ends in SWD_AP_WAIT.</summary>
    public const int DefaultMaxWaitRetries = 1000;

    /// <summary>Bits per SWD transfer: 8 request, 1 turnaround, 3 ACK, 1 turnaround, 32 data, 1 parity (ADIv5 §4.2).</summary>
    public const int BitsPerTransfer = 46;

    private readonly IEmulatedTarget _target;
    private readonly IModeledClock _clock;
    private readonly Func<bool>? _parityError;
    private uint _ctrlStat;
    private uint _select;
    private uint _rdBuff;
    private uint _csw = CswResetValue;
    private uint _tar;

    /// <summary>Creates the debug port in front of <paramref name="target"/>, charging time to <paramref name="clock"/>.</summary>
    /// <param name="target">The chip behind the DP.</param>
    /// <param name="clock">The modeled clock every SWD transfer is charged to.</param>
    /// <param name="maxWaitRetries">How many times a WAIT is retried before the probe gives up.</param>
    /// <param name="parityError">Asked after each read data phase; true corrupts its parity (link-noise fault), null for a clean link.</param>
    public SwdDebugPort(IEmulatedTarget target, IModeledClock clock, int maxWaitRetries = DefaultMaxWaitRetries, Func<bool>? parityError = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentOutOfRangeException.ThrowIfNegative(maxWaitRetries);
        _target = target;
        _clock = clock;
        _parityError = parityError;
        MaxWaitRetries = maxWaitRetries;
        TarWrapBytes = TarIncrementBoundaryFor(target.ApIdr);
        SwdFrequencyKhz = 1800;
    }

    /// <summary>How many times a WAIT is retried before <see cref="SwdAck.Wait"/> is reported.</summary>
    public int MaxWaitRetries { get; }

    /// <summary>TAR auto-increment boundary in bytes: 4096 on a Cortex-M3/M4 AHB-AP, else the 1024 ADIv5 guarantees.</summary>
    public uint TarWrapBytes { get; }

    /// <summary>SWD clock in kHz; sets the modeled cost of each transfer.</summary>
    public int SwdFrequencyKhz
    {
        get;
        set
        {
            field = value;
            TransferTime = TimeSpan.FromTicks((long)Math.Ceiling(BitsPerTransfer * TimeSpan.TicksPerMillisecond / (double)Math.Max(1, value)));
        }
    }

    /// <summary>Number of WAIT answers retried so far (for statistics and tests).</summary>
    public long WaitRetries { get; private set; }

    /// <summary>Number of SWD transfers charged so far.</summary>
    public long Transfers { get; private set; }

    /// <summary>Modeled duration of one SWD transfer at the current clock (computed when the clock is set: it is charged per transfer).</summary>
    public TimeSpan TransferTime { get; private set; }

    /// <summary>Current CTRL/STAT value (for the probe's own checks).</summary>
    public uint CtrlStat => _ctrlStat;

    /// <summary>
    /// The TAR auto-increment boundary for an AHB-AP identified by <paramref name="apIdr"/>: Cortex-M3 and M4 AHB-APs
    /// (IDR 0x14770011, 0x24770011) implement 12 bits (4 KiB), everything else is given the 10 bits ADIv5 guarantees
    /// (reference §4.2; OpenOCD arm_adi_v5.h:281, cortex_m.c:2421).
    /// </summary>
    public static uint TarIncrementBoundaryFor(uint apIdr) => (apIdr & 0x0FFF_FFFF) == 0x0477_0011 ? 4096u : 1024u;

    /// <summary>Line reset and DPIDR read, as the firmware does when it enters SWD: clears SELECT and the sticky flags.</summary>
    /// <returns><see cref="SwdAck.Ok"/> with the DPIDR, or <see cref="SwdAck.NoAck"/>.</returns>
    public SwdAck Connect(out uint dpIdr)
    {
        Charge(1);
        dpIdr = 0;
        if (!_target.SwdResponds)
        {
            return SwdAck.NoAck;
        }

        _select = 0;
        _ctrlStat &= ~(StickyErr | StickyCmp | StickyOrun | WDataErr);
        dpIdr = _target.DpIdr;
        return Parity(ref dpIdr, SwdAck.Ok);
    }

    /// <summary>Reads a DP register (address 0x0, 0x4, 0x8, 0xC; bank from SELECT.DPBANKSEL).</summary>
    public SwdAck ReadDp(int address, out uint value)
    {
        Charge(1);
        value = 0;
        if (!_target.SwdResponds)
        {
            return SwdAck.NoAck;
        }

        switch (address & 0xC)
        {
            case DpIdrOrAbort:
                value = _target.DpIdr;
                break;
            case DpCtrlStat:
                value = (_select & 0xF) == 0 ? CtrlStatValue() : 0;
                break;
            case DpSelect:
                value = _rdBuff; // RESEND: the last AP read result.
                break;
            default:
                value = _rdBuff;
                break;
        }

        return Parity(ref value, SwdAck.Ok);
    }

    /// <summary>Writes a DP register: ABORT (0x0), CTRL/STAT (0x4), SELECT (0x8); RDBUFF writes are ignored.</summary>
    public SwdAck WriteDp(int address, uint value)
    {
        Charge(1);
        if (!_target.SwdResponds)
        {
            return SwdAck.NoAck;
        }

        switch (address & 0xC)
        {
            case DpIdrOrAbort:
                Abort(value);
                break;
            case DpCtrlStat:
                if ((_select & 0xF) == 0)
                {
                    // Sticky flags are write-1-to-clear only through ABORT on SW-DP; requests are plain bits.
                    const uint writable = CsysPwrUpReq | CdbgPwrUpReq | 0x0FFF_FF0D;
                    _ctrlStat = (_ctrlStat & (StickyErr | StickyCmp | StickyOrun | WDataErr)) | (value & writable & ~(StickyErr | StickyCmp | StickyOrun | WDataErr));
                }

                break;
            case DpSelect:
                _select = value;
                break;
            default:
                break;
        }

        return SwdAck.Ok;
    }

    /// <summary>Reads an AP register of AP <paramref name="ap"/> (only AP 0, the AHB-AP, exists; others read 0).</summary>
    public SwdAck ReadAp(int ap, int address, out uint value)
    {
        Charge(1);
        value = 0;
        var early = ApPreamble();
        if (early != SwdAck.Ok)
        {
            return early;
        }

        if (ap != 0)
        {
            _rdBuff = 0;
            return SwdAck.Ok;
        }

        var result = SwdAck.Ok;
        switch (address & 0xFC)
        {
            case ApCsw:
                value = _csw | CswDeviceEn;
                break;
            case ApTar:
                value = _tar;
                break;
            case ApDrw:
                result = DataRead(_tar, CswWidth(), out value);
                if (result == SwdAck.Ok)
                {
                    IncrementTar();
                }

                break;
            case >= ApBd0 and <= ApBd0 + 0xC:
                result = DataRead((_tar & ~0xFu) + (uint)(address - ApBd0), AccessWidth.Word, out value);
                break;
            case ApCfg:
                value = 0;
                break;
            case ApBase:
                value = _target.ApBase;
                break;
            case ApIdr:
                value = _target.ApIdr;
                break;
            default:
                value = 0;
                break;
        }

        _rdBuff = value;
        return Parity(ref value, result);
    }

    /// <summary>Writes an AP register of AP <paramref name="ap"/> (writes to absent APs are ignored).</summary>
    public SwdAck WriteAp(int ap, int address, uint value)
    {
        Charge(1);
        var early = ApPreamble();
        if (early != SwdAck.Ok || ap != 0)
        {
            return early;
        }

        switch (address & 0xFC)
        {
            case ApCsw:
                _csw = (_csw & ~CswWritableMask) | (value & CswWritableMask);
                return SwdAck.Ok;
            case ApTar:
                _tar = value;
                return SwdAck.Ok;
            case ApDrw:
                var result = DataWrite(_tar, CswWidth(), value);
                if (result == SwdAck.Ok)
                {
                    IncrementTar();
                }

                return result;
            case >= ApBd0 and <= ApBd0 + 0xC:
                return DataWrite((_tar & ~0xFu) + (uint)(address - ApBd0), AccessWidth.Word, value);
            default:
                return SwdAck.Ok;
        }
    }

    /// <summary>Clears sticky flags as a DP ABORT write with the given bits would.</summary>
    public void Abort(uint bits)
    {
        if ((bits & AbortStkCmpClr) != 0)
        {
            _ctrlStat &= ~StickyCmp;
        }

        if ((bits & AbortStkErrClr) != 0)
        {
            _ctrlStat &= ~StickyErr;
        }

        if ((bits & AbortWdErrClr) != 0)
        {
            _ctrlStat &= ~WDataErr;
        }

        if ((bits & AbortOrunErrClr) != 0)
        {
            _ctrlStat &= ~StickyOrun;
        }
    }

    /// <summary>
    /// Sets up the AHB-AP for a memory command: CSW bits 31:8 from the command (HPROT), the access size and
    /// single or no auto-increment, and TAR. Charges the CSW and TAR writes.
    /// </summary>
    internal void PrepareMemoryAccess(uint cswHighBits, AccessWidth width, uint address, bool increment)
    {
        Charge(2);
        var size = width switch
        {
            AccessWidth.Byte => 0u,
            AccessWidth.HalfWord => 1u,
            _ => 2u,
        };
        var addrInc = increment ? 0x10u : 0u;
        _csw = ((cswHighBits & 0xFFFF_FF00) | size | addrInc) & CswWritableMask;
        _tar = address;
    }

    /// <summary>One firmware-driven DRW access of a memory command at <paramref name="address"/>, WAIT retried.</summary>
    internal SwdAck MemoryRead(uint address, AccessWidth width, out uint value, bool increment = true)
    {
        Charge(1);
        MoveTar(address);
        var early = ApPreamble();
        if (early != SwdAck.Ok)
        {
            value = 0;
            return early;
        }

        var result = RetryRead(address, width);
        value = result.Value;
        var ack = Parity(ref value, result.Ack);
        AdvanceTarAfter(address, width, ack, increment);
        return ack;
    }

    /// <summary>One firmware-driven DRW write of a memory command at <paramref name="address"/>, WAIT retried.</summary>
    internal SwdAck MemoryWrite(uint address, AccessWidth width, uint value, bool increment = true)
    {
        Charge(1);
        MoveTar(address);
        var early = ApPreamble();
        if (early != SwdAck.Ok)
        {
            return early;
        }

        var result = RetryWrite(address, width, value);
        AdvanceTarAfter(address, width, result.Ack, increment);
        return result.Ack;
    }

    /// <summary>Charges <paramref name="transfers"/> SWD transfers of modeled time.</summary>
    internal void Charge(int transfers)
    {
        Transfers += transfers;
        _clock.Advance(TransferTime * transfers);
    }

    private void AdvanceTarAfter(uint address, AccessWidth width, SwdAck ack, bool increment)
    {
        // A failed transfer does not auto-increment TAR, so a debugger reading TAR finds the faulting address
        // (OpenOCD's mem_ap_read/write report "Failed to read memory at" from TAR). Auto-increment wraps inside
        // the boundary, so a block crossing it costs the firmware one TAR write (see MoveTar).
        if (ack != SwdAck.Ok || !increment)
        {
            _tar = address;
            return;
        }

        var mask = TarWrapBytes - 1;
        _tar = (address & ~mask) | ((address + (uint)width) & mask);
    }

    private void MoveTar(uint address)
    {
        // The firmware rewrites TAR (one more transfer) where auto-increment would not get there, i.e. when a block
        // crosses the auto-increment boundary or skips ahead.
        if (address != _tar)
        {
            Charge(1);
            _tar = address;
        }
    }

    private SwdAck Parity(ref uint value, SwdAck ack)
    {
        if (ack != SwdAck.Ok || _parityError is null || !_parityError())
        {
            return ack;
        }

        value = 0;
        return SwdAck.ParityError;
    }

    private uint CtrlStatValue()
    {
        var value = _ctrlStat;
        value = (value & CsysPwrUpReq) != 0 ? value | CsysPwrUpAck : value & ~CsysPwrUpAck;
        value = (value & CdbgPwrUpReq) != 0 ? value | CdbgPwrUpAck : value & ~CdbgPwrUpAck;
        return value;
    }

    private SwdAck ApPreamble()
    {
        if (!_target.SwdResponds)
        {
            return SwdAck.NoAck;
        }

        return (_ctrlStat & (StickyErr | StickyOrun | WDataErr)) != 0 ? SwdAck.Fault : SwdAck.Ok;
    }

    private AccessWidth CswWidth() => (_csw & 0x7) switch
    {
        0 => AccessWidth.Byte,
        1 => AccessWidth.HalfWord,
        _ => AccessWidth.Word,
    };

    private void IncrementTar()
    {
        var increment = (_csw >> 4) & 0x3;
        if (increment == 0)
        {
            return;
        }

        var step = (uint)CswWidth();
        var mask = TarWrapBytes - 1;
        _tar = (_tar & ~mask) | ((_tar + step) & mask);
    }

    private SwdAck DataRead(uint tar, AccessWidth width, out uint value)
    {
        var aligned = tar & ~((uint)width - 1);
        var result = RetryRead(aligned, width);

        // AHB byte lanes: a narrow read comes back in the lane of its address (ADIv5 §7.2.1).
        value = width == AccessWidth.Word ? result.Value : result.Value << (int)(8 * (aligned & 3));
        return result.Ack;
    }

    private SwdAck DataWrite(uint tar, AccessWidth width, uint value)
    {
        var aligned = tar & ~((uint)width - 1);
        var laneValue = width == AccessWidth.Word ? value : value >> (int)(8 * (aligned & 3));
        return RetryWrite(aligned, width, laneValue).Ack;
    }

    // The WAIT retry loop, once for reads and once for writes: no delegate, so a memory command allocates nothing
    // per word (the host-stack throughput benchmark moves millions of words through here).
    private (SwdAck Ack, uint Value) RetryRead(uint address, AccessWidth width)
    {
        for (var attempt = 0; ; attempt++)
        {
            var result = _target.Read(address, width, out var value);
            if (result == BusResult.Ok)
            {
                return (SwdAck.Ok, value);
            }

            if (!RetryAfter(result, attempt, out var ack))
            {
                return (ack, 0);
            }
        }
    }

    private (SwdAck Ack, uint Value) RetryWrite(uint address, AccessWidth width, uint value)
    {
        for (var attempt = 0; ; attempt++)
        {
            var result = _target.Write(address, width, value);
            if (result == BusResult.Ok)
            {
                return (SwdAck.Ok, 0);
            }

            if (!RetryAfter(result, attempt, out var ack))
            {
                return (ack, 0);
            }
        }
    }

    // A FAULT sets STICKYERR and ends; a WAIT is retried (one more transfer) until MaxWaitRetries.
    private bool RetryAfter(BusResult result, int attempt, out SwdAck ack)
    {
        if (result == BusResult.Fault)
        {
            _ctrlStat |= StickyErr;
            ack = SwdAck.Fault;
            return false;
        }

        if (attempt >= MaxWaitRetries)
        {
            ack = SwdAck.Wait;
            return false;
        }

        WaitRetries++;
        Charge(1);
        ack = SwdAck.Wait;
        return true;
    }
}

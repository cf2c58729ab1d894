using System.Buffers.Binary;
using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Dap;
using ProdFlash.Emulator.Faults;
using ProdFlash.Emulator.Target;
using ProdFlash.Emulator.Timing;
using ProdFlash.Probes.StLink;

namespace ProdFlash.Emulator.StLink;

/// <summary>
/// The firmware of one emulated ST-LINK: takes a 16-byte command block and its data phase and answers byte for byte
/// as reference/stlink-protocol.md §2–§4 describes, for the capabilities of its <see cref="StLinkPersonality"/>.
/// </summary>
/// <remarks>
/// Choices where no public source says what real firmware does (each documented at its constant or method):
/// a DEBUG sub-command the firmware lacks answers 2 bytes <c>[0x42 UNKNOWN_CMD, 0]</c> (PY/PR name 0x42, and Black Magic
/// Debug's hosted driver, src/platforms/hosted/stlinkv2.c, handles it as a reply status from the probe); an unknown
/// top-level command is not answered at all (<see cref="NoAnswer"/>; the host's USB read times out); a memory command
/// over the firmware's size limit or misaligned does no bus access and reports CMD_ERROR/ALIGNMENT_ERROR through
/// GETLASTRWSTATUS(2); before each memory command the firmware clears sticky DP flags (inferred: OpenOCD's HLA path
/// has no ABORT access, yet keeps working after a memory fault). A probe is in MASS mode after plug-in (the LIVE
/// trace of §2.4 shows no exit before entering SWD).
/// Thread-safe: transactions are serialised on an internal lock, so a server may share a probe between sessions.
/// </remarks>
public sealed class EmulatedStLink
{
    /// <summary>Returned by <see cref="Execute"/> when the firmware sends nothing back and the host's read would time out.</summary>
    public const int NoAnswer = -1;

    /// <summary>Sub-command byte 2 of <c>F2 30</c> that selects SWD (OCD:404).</summary>
    public const byte EnterSwd = 0xA3;

    /// <summary>VREFINT sample the probe's ADC reports as adc0 (OCD-DOC example: 1521 for 1.2 V).</summary>
    public const uint VrefIntSample = 1521;

    /// <summary>Cortex-M DHCSR (ARMv7-M ARM C1.6.2).</summary>
    public const uint Dhcsr = 0xE000_EDF0;

    /// <summary>Cortex-M DCRSR.</summary>
    public const uint Dcrsr = 0xE000_EDF4;

    /// <summary>Cortex-M DCRDR.</summary>
    public const uint Dcrdr = 0xE000_EDF8;

    /// <summary>DCRSR.REGWnR (bit 16): the transfer writes the core register (ARMv7-M ARM C1.6.3).</summary>
    public const uint DcrsrRegWnR = 1u << 16;

    /// <summary>DHCSR.S_REGRDY (bit 16): the core register transfer completed (ARMv7-M ARM C1.6.2).</summary>
    public const uint DhcsrSRegRdy = 1u << 16;

    /// <summary>Cortex-M AIRCR.</summary>
    public const uint Aircr = 0xE000_ED0C;

    /// <summary>AIRCR write for a system reset: VECTKEY 0x05FA, SYSRESETREQ (ARMv7-M ARM B3.2.6).</summary>
    public const uint AircrSysResetReq = 0x05FA_0004;

    /// <summary>How long DRIVE_NRST PULSE holds NRST low (not public; a conservative value, longer than the F1's 20 µs minimum pulse).</summary>
    public static readonly TimeSpan NrstPulse = TimeSpan.FromMilliseconds(1);

    /// <summary>V2 SWD divisor table, kHz by divisor (§2.3; OCD:532-556).</summary>
    public static readonly IReadOnlyList<(ushort Divisor, int Khz)> V2SwdFrequencies =
    [
        (0, 4000), (1, 1800), (2, 1200), (3, 950), (7, 480), (15, 240), (31, 125), (40, 100), (79, 50), (158, 25), (265, 15), (798, 5),
    ];

    /// <summary>SWD clocks a STLINK-V3 offers in GET_COM_FREQ (kHz, highest first; the list V3 firmware reports to OpenOCD).</summary>
    public static readonly IReadOnlyList<int> V3SwdFrequencies = [24000, 8000, 3300, 1000, 200, 50, 5];

    /// <summary>JTAG clocks a STLINK-V3 offers in GET_COM_FREQ (kHz, highest first).</summary>
    public static readonly IReadOnlyList<int> V3JtagFrequencies = [21333, 16000, 12000, 8000, 6000, 4000, 3000, 2000, 1000];

    private readonly Lock _gate = new();
    private readonly IEmulatedTarget _target;
    private readonly FaultSet _faults;
    private readonly IFlashActivity? _activity;

    // Reply scratch: large enough for the largest reply (RW_MISC_IN on V3: 8 x 1227 bytes).
    private readonly byte[] _reply = new byte[16 * 1024];
    private StLinkStatus _lastRwStatus = StLinkStatus.Ok;
    private uint _lastFaultAddress;
    private byte[] _rwMiscResults = [];
    private int _jtagKhz = 1125;
    private List<StLinkTransaction>? _log;

    /// <summary>Creates a probe in MASS mode connected to <paramref name="target"/>.</summary>
    /// <param name="personality">What the probe is.</param>
    /// <param name="target">The board it is wired to (already wrapped in board faults if any).</param>
    /// <param name="clock">The modeled clock every transaction is charged to.</param>
    /// <param name="faults">Faults the probe itself applies (unplug); board faults are applied by the target wrapper.</param>
    /// <param name="activity">Flash counters of the chip, for the phase faults at <c>erase</c> and <c>program</c>; when null, taken from the target (through a board-fault wrapper) if it has them.</param>
    public EmulatedStLink(StLinkPersonality personality, IEmulatedTarget target, ModeledClock clock, FaultSet? faults = null, IFlashActivity? activity = null)
    {
        ArgumentNullException.ThrowIfNull(personality);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(clock);
        Personality = personality;
        _target = target;
        Clock = clock;
        _faults = faults ?? FaultSet.None;
        _activity = activity ?? FlashActivityOf(target);
        Dap = new SwdDebugPort(target, clock, SwdDebugPort.DefaultMaxWaitRetries, ParityHook(_faults));
        if (personality.IsV3)
        {
            Dap.SwdFrequencyKhz = 1000;
        }
    }

    /// <summary>What the probe is.</summary>
    public StLinkPersonality Personality { get; }

    /// <summary>The modeled clock.</summary>
    public ModeledClock Clock { get; }

    /// <summary>The SW-DP/AHB-AP model behind the probe.</summary>
    public SwdDebugPort Dap { get; }

    /// <summary>Current mode (GET_CURRENT_MODE).</summary>
    public StLinkMode Mode { get; private set; } = StLinkMode.Mass;

    /// <summary>Whether the probe has been pulled (an <c>unplug</c> fault fired); every transaction then fails.</summary>
    public bool IsUnplugged { get; private set; }

    /// <summary>Whether the firmware hangs (a <c>usb-timeout</c> fault fired); no transaction is answered any more.</summary>
    public bool IsHung { get; private set; }

    /// <summary>Number of USB transactions served.</summary>
    public long Transactions { get; private set; }

    /// <summary>Starts recording every transaction (command block, data-out length, reply) for inspection.</summary>
    public void StartRecording()
    {
        lock (_gate)
        {
            _log = [];
        }
    }

    /// <summary>The transactions recorded since <see cref="StartRecording"/> (a snapshot).</summary>
    public IReadOnlyList<StLinkTransaction> Recorded()
    {
        lock (_gate)
        {
            return _log is null ? [] : [.. _log];
        }
    }

    /// <summary>Runs one transaction: command block, optional data out, reply into <paramref name="dataIn"/>.</summary>
    /// <param name="command">The 16-byte command block.</param>
    /// <param name="dataOut">Write data (memory writes, RW_MISC); empty otherwise.</param>
    /// <param name="dataIn">Room for the reply; bytes the firmware does not send are left as they are.</param>
    /// <returns>Bytes the firmware sent (at most <paramref name="dataIn"/>'s length), 0 for commands without a reply, or <see cref="NoAnswer"/>.</returns>
    /// <exception cref="StLinkTransportException">The probe was unplugged (<see cref="StLinkTransportException.IsDisconnected"/>).</exception>
    public int Execute(ReadOnlySpan<byte> command, ReadOnlySpan<byte> dataOut, Span<byte> dataIn)
    {
        if (command.Length != StLinkWire.CommandBlockLength)
        {
            throw new ArgumentException($"A command block is {StLinkWire.CommandBlockLength} bytes; got {command.Length}.", nameof(command));
        }

        lock (_gate)
        {
            ThrowIfUnplugged();
            Transactions++;
            if (IsHung)
            {
                _log?.Add(new StLinkTransaction(command.ToArray(), dataOut.Length, null));
                return NoAnswer;
            }

            var reply = _reply;
            var length = Dispatch(command, dataOut, reply);
            ChargeUsb(dataOut.Length, Math.Max(length, 0));
            if (_target is BoardFaultTarget board && !board.PowerLost && Fired(_faults.Brownout, command))
            {
                // The command completed; the board's supply collapses right after it.
                board.PowerLost = true;
            }

            if (Fired(_faults.UsbTimeout, command))
            {
                // The command took effect; its reply never comes.
                IsHung = true;
                _log?.Add(new StLinkTransaction(command.ToArray(), dataOut.Length, null));
                return NoAnswer;
            }

            if (length > 0)
            {
                var copied = Math.Min(Math.Min(length, dataIn.Length), reply.Length);
                reply.AsSpan(0, copied).CopyTo(dataIn);
                length = copied;
            }

            _log?.Add(new StLinkTransaction(command.ToArray(), dataOut.Length, length < 0 ? null : reply.AsSpan(0, length).ToArray()));
            if (Fired(_faults.Unplug, command))
            {
                IsUnplugged = true;
                ThrowIfUnplugged();
            }

            return length;
        }
    }

    private static IFlashActivity? FlashActivityOf(IEmulatedTarget target)
    {
        var chip = target is BoardFaultTarget board ? board.Inner : target;
        return chip switch
        {
            IFlashActivity activity => activity,
            Stm32F1Chip f1 => new Stm32F1FlashActivity(f1),
            _ => null,
        };
    }

    private void ThrowIfUnplugged()
    {
        if (IsUnplugged)
        {
            throw new StLinkTransportException(
                $"Emulated ST-LINK {Personality.Serial} was unplugged (fault 'unplug'); reconnect the probe.")
            {
                IsDisconnected = true,
            };
        }
    }

    private bool Fired(PhaseTrigger? trigger, ReadOnlySpan<byte> command) => trigger?.Phase switch
    {
        null => false,
        FaultPhase.Connect => command[0] == (byte)StLinkCommand.Debug && command[1] == (byte)StLinkDebugCommand.Enter,
        FaultPhase.Erase => _activity is { } a && a.BytesErased > 0 && a.BytesErased * 100.0 >= trigger.Percent * a.FlashSizeBytes,
        _ => _activity is { } p && p.BytesProgrammed > 0 && p.BytesProgrammed * 100.0 >= trigger.Percent * p.FlashSizeBytes,
    };

    private void ChargeUsb(int bytesOut, int bytesIn)
    {
        var bytes = StLinkWire.CommandBlockLength + bytesOut + bytesIn;
        Clock.Advance(Personality.UsbRoundTrip + TimeSpan.FromSeconds(bytes / Personality.UsbBytesPerSecond));
    }

    private int Dispatch(ReadOnlySpan<byte> command, ReadOnlySpan<byte> dataOut, byte[] reply)
    {
        switch ((StLinkCommand)command[0])
        {
            case StLinkCommand.GetVersion:
                return GetVersion(reply);
            case StLinkCommand.GetVersionEx when Personality.IsV3:
                return GetVersionEx(reply);
            case StLinkCommand.GetCurrentMode:
                reply[0] = (byte)Mode;
                reply[1] = 0;
                return 2;
            case StLinkCommand.GetTargetVoltage when Personality.HasTargetVoltage:
                return TargetVoltage(reply);
            case StLinkCommand.Dfu:
            case StLinkCommand.Swim:
                // DFU_EXIT (F3 07) and SWIM_EXIT (F4 01) have no reply; both leave the probe idle.
                Mode = StLinkMode.Mass;
                return 0;
            case StLinkCommand.Debug:
                return Debug(command, dataOut, reply);
            default:
                return NoAnswer;
        }
    }

    private int GetVersion(byte[] reply)
    {
        // ver = v<<12 | x<<6 | y, big-endian (OCD:1249-1298). V2-1: x = JTAG, y = MSD. V3: x = y = 0, see GET_VERSION_EX.
        var (x, y) = Personality.Family switch
        {
            StLinkFamily.V3 => (0, 0),
            StLinkFamily.V21 => (Personality.Jtag, Personality.Msd),
            _ => (Personality.Jtag, Personality.Swim),
        };
        var version = (ushort)((Personality.HardwareVersion << 12) | ((x & 0x3F) << 6) | (y & 0x3F));
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(0), version);
        BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(2), StLinkPersonality.VendorId);
        BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(4), Personality.ProductId);
        return 6;
    }

    private int GetVersionEx(byte[] reply)
    {
        // [0] hw, [1] SWIM, [2] JTAG, [3] MSC/VCP, [4] bridge, [5] power, [8..9] VID, [10..11] PID (OCD:1300-1317).
        Array.Clear(reply, 0, 12);
        reply[0] = (byte)Personality.HardwareVersion;
        reply[1] = (byte)Personality.Swim;
        reply[2] = (byte)Personality.Jtag;
        reply[3] = (byte)Personality.Msd;
        reply[4] = (byte)Personality.Bridge;
        BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(8), StLinkPersonality.VendorId);
        BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(10), Personality.ProductId);
        return 12;
    }

    private int TargetVoltage(byte[] reply)
    {
        // V = 2 * adc1 * 1.2 / adc0 (OCD:1443-1474), so adc1 = V * adc0 / 2.4.
        var adc1 = (uint)Math.Round(_target.SenseVoltage * VrefIntSample / 2.4);
        BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(0), VrefIntSample);
        BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(4), adc1);
        return 8;
    }

    private int Debug(ReadOnlySpan<byte> command, ReadOnlySpan<byte> dataOut, byte[] reply)
    {
        var sub = (StLinkDebugCommand)command[1];
        switch (sub)
        {
            case StLinkDebugCommand.Exit:
                Mode = StLinkMode.Mass;
                return 0;
            case StLinkDebugCommand.Enter:
                return Enter(command[2], reply);
            case StLinkDebugCommand.ReadIdCodes:
                return ReadIdCodes(reply);
            case StLinkDebugCommand.ResetSys:
                return Status(reply, 2, MemoryStatus(Dap.MemoryWrite(Aircr, AccessWidth.Word, AircrSysResetReq)));
            case StLinkDebugCommand.ReadReg:
                return ReadCoreRegister(command[2], reply);
            case StLinkDebugCommand.WriteReg:
                return WriteCoreRegister(command[2], BinaryPrimitives.ReadUInt32LittleEndian(command[3..]), reply);
            case StLinkDebugCommand.ReadAllRegs:
                return ReadAllCoreRegisters(reply);
            case StLinkDebugCommand.ReadDebugReg:
                {
                    var ack = Dap.MemoryRead(BinaryPrimitives.ReadUInt32LittleEndian(command[2..]), AccessWidth.Word, out var value);
                    Array.Clear(reply, 0, 8);
                    reply[0] = (byte)MemoryStatus(ack);
                    BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(4), value);
                    return 8;
                }

            case StLinkDebugCommand.WriteDebugReg:
                {
                    var address = BinaryPrimitives.ReadUInt32LittleEndian(command[2..]);
                    var value = BinaryPrimitives.ReadUInt32LittleEndian(command[6..]);
                    return Status(reply, 2, MemoryStatus(Dap.MemoryWrite(address, AccessWidth.Word, value)));
                }

            case StLinkDebugCommand.GetLastRwStatus:
                return Status(reply, 2, _lastRwStatus);
            case StLinkDebugCommand.GetLastRwStatus2 when Personality.HasRwStatus2:
                Array.Clear(reply, 0, 12);
                BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(0), (ushort)_lastRwStatus);
                BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(4), _lastFaultAddress);
                return 12;
            case StLinkDebugCommand.DriveNrst:
                return DriveNrst(command[2], reply);
            case StLinkDebugCommand.StartTraceRx when Personality.HasTrace:
            case StLinkDebugCommand.StopTraceRx when Personality.HasTrace:
                return Status(reply, 2, StLinkStatus.Ok);
            case StLinkDebugCommand.GetTraceNb when Personality.HasTrace:
                // No SWO is modeled: zero bytes waiting (u16 count).
                reply[0] = 0;
                reply[1] = 0;
                return 2;
            case StLinkDebugCommand.SwdSetFreq when Personality.HasSwdSetFreq:
                return SwdSetFrequency(BinaryPrimitives.ReadUInt16LittleEndian(command[2..]), reply);
            case StLinkDebugCommand.JtagSetFreq when Personality.HasJtagSetFreq:
                return Status(reply, 2, StLinkStatus.Ok);
            case StLinkDebugCommand.ReadDapReg when Personality.HasDapRegisters:
                return ReadDapRegister(BinaryPrimitives.ReadUInt16LittleEndian(command[2..]), BinaryPrimitives.ReadUInt16LittleEndian(command[4..]), reply);
            case StLinkDebugCommand.WriteDapReg when Personality.HasDapRegisters:
                return WriteDapRegister(
                    BinaryPrimitives.ReadUInt16LittleEndian(command[2..]),
                    BinaryPrimitives.ReadUInt16LittleEndian(command[4..]),
                    BinaryPrimitives.ReadUInt32LittleEndian(command[6..]),
                    reply);
            case StLinkDebugCommand.BlinkLed when Personality.HasApInit:
                return Status(reply, 2, StLinkStatus.Ok);
            case StLinkDebugCommand.InitAp when Personality.HasApInit:
            case StLinkDebugCommand.CloseAp when Personality.HasCloseAp:
                return Status(reply, 2, command[2] == 0 ? StLinkStatus.Ok : StLinkStatus.BadAp);
            case StLinkDebugCommand.GetBoardId when Personality.HasBoardId:
                Array.Clear(reply, 0, 128);
                reply[0] = (byte)StLinkStatus.Ok;
                for (var i = 0; i < Personality.BoardId.Length && i < 4; i++)
                {
                    reply[2 + i] = (byte)Personality.BoardId[i];
                }

                return 128;
            case StLinkDebugCommand.SetComFreq when Personality.IsV3:
                return SetComFrequency(command[2], BinaryPrimitives.ReadUInt32LittleEndian(command[4..]), reply);
            case StLinkDebugCommand.GetComFreq when Personality.IsV3:
                return GetComFrequency(command[2], reply);
            case StLinkDebugCommand.SwitchStLinkFreq when Personality.IsV3:
                // Prescaler 1, 2 or 4; the firmware answers CONF_CHANGED (PY set_prescaler).
                Array.Clear(reply, 0, 8);
                reply[0] = (byte)(command[2] is 1 or 2 or 4 ? StLinkStatus.ConfigurationChanged : StLinkStatus.CommandError);
                return 8;
            case StLinkDebugCommand.RwMiscOut when Personality.HasCsw:
                return RwMiscOut(BinaryPrimitives.ReadUInt32LittleEndian(command[2..]), dataOut);
            case StLinkDebugCommand.RwMiscIn when Personality.HasCsw:
                _rwMiscResults.AsSpan(0, Math.Min(_rwMiscResults.Length, reply.Length)).CopyTo(reply);
                return _rwMiscResults.Length;
            case StLinkDebugCommand.ReadMem32:
            case StLinkDebugCommand.WriteMem32:
            case StLinkDebugCommand.ReadMem8:
            case StLinkDebugCommand.WriteMem8:
            case StLinkDebugCommand.ReadMem16 when Personality.HasMem16:
            case StLinkDebugCommand.WriteMem16 when Personality.HasMem16:
            case StLinkDebugCommand.WriteMem32NoInc when Personality.HasMem16:
            case StLinkDebugCommand.ReadMem32NoInc when Personality.HasCsw:
                return Memory(sub, command, dataOut, reply);
            default:
                return Status(reply, 2, StLinkStatus.UnknownCommand);
        }
    }

    private static int Status(byte[] reply, int length, StLinkStatus status)
    {
        Array.Clear(reply, 0, length);
        reply[0] = (byte)status;
        return length;
    }

    private int Enter(byte protocol, byte[] reply)
    {
        if (protocol != EnterSwd)
        {
            // JTAG is not modeled: the chip gives no IDCODE on a JTAG scan.
            return Status(reply, 2, StLinkStatus.GetIdCodeError);
        }

        if (Dap.Connect(out _) != SwdAck.Ok)
        {
            return Status(reply, 2, StLinkStatus.GetIdCodeError);
        }

        // The firmware powers the debug domain itself: OpenOCD's HLA path never writes CTRL/STAT.
        Dap.WriteDp(SwdDebugPort.DpCtrlStat, SwdDebugPort.CsysPwrUpReq | SwdDebugPort.CdbgPwrUpReq);
        Mode = StLinkMode.Debug;
        return Status(reply, 2, StLinkStatus.Ok);
    }

    private int ReadIdCodes(byte[] reply)
    {
        Array.Clear(reply, 0, 12);
        var ack = Dap.ReadDp(SwdDebugPort.DpIdrOrAbort, out var dpIdr);
        reply[0] = (byte)(ack == SwdAck.Ok ? StLinkStatus.Ok : StLinkStatus.GetIdCodeError);
        BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(4), dpIdr);
        return 12;
    }

    private int DriveNrst(byte level, byte[] reply)
    {
        switch (level)
        {
            case 0:
                _target.SetResetLine(true);
                break;
            case 1:
                _target.SetResetLine(false);
                break;
            case 2:
                _target.SetResetLine(true);
                Clock.Advance(NrstPulse);
                _target.SetResetLine(false);
                break;
            default:
                return Status(reply, 2, StLinkStatus.CommandError);
        }

        return Status(reply, 2, StLinkStatus.Ok);
    }

    private int SwdSetFrequency(ushort divisor, byte[] reply)
    {
        // The firmware takes the table entry for the divisor, or the next slower one.
        var khz = V2SwdFrequencies[^1].Khz;
        foreach (var (tableDivisor, tableKhz) in V2SwdFrequencies)
        {
            if (tableDivisor >= divisor)
            {
                khz = tableKhz;
                break;
            }
        }

        Dap.SwdFrequencyKhz = khz;
        return Status(reply, 2, StLinkStatus.Ok);
    }

    private int SetComFrequency(byte mode, uint requestedKhz, byte[] reply)
    {
        var table = mode == 0 ? V3SwdFrequencies : V3JtagFrequencies;
        var chosen = table[^1];
        foreach (var khz in table)
        {
            if (khz <= requestedKhz)
            {
                chosen = khz;
                break;
            }
        }

        if (mode == 0)
        {
            Dap.SwdFrequencyKhz = chosen;
        }
        else
        {
            _jtagKhz = chosen;
        }

        Array.Clear(reply, 0, 8);
        reply[0] = (byte)StLinkStatus.Ok;
        BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(4), (uint)chosen);
        return 8;
    }

    private int GetComFrequency(byte mode, byte[] reply)
    {
        var table = mode == 0 ? V3SwdFrequencies : V3JtagFrequencies;
        Array.Clear(reply, 0, 52);
        reply[0] = (byte)StLinkStatus.Ok;
        BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(4), (uint)(mode == 0 ? Dap.SwdFrequencyKhz : _jtagKhz));
        BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(8), (uint)table.Count);
        for (var i = 0; i < table.Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(12 + (4 * i)), (uint)table[i]);
        }

        return 52;
    }

    private int ReadDapRegister(ushort port, ushort address, byte[] reply)
    {
        Array.Clear(reply, 0, 8);
        SwdAck ack;
        uint value;
        if (port == 0xFFFF)
        {
            ack = (address & 0xF0) != 0 ? ReadBankedDp(address, out value) : Dap.ReadDp(address, out value);
            reply[0] = (byte)DpStatus(ack);
        }
        else
        {
            ack = Dap.ReadAp(port, address, out value);
            reply[0] = (byte)ApStatus(ack);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(4), value);
        return 8;
    }

    private SwdAck ReadBankedDp(ushort address, out uint value)
    {
        // DPBANKSEL in bits 7:4 (J32): banks 1-3 (DLCR, TARGETID, DLPIDR) are DPv2; this DPv1 reads them as 0.
        Dap.WriteDp(SwdDebugPort.DpSelect, (uint)((address >> 4) & 0xF));
        var ack = Dap.ReadDp(address & 0xF, out value);
        Dap.WriteDp(SwdDebugPort.DpSelect, 0);
        return ack;
    }

    private int WriteDapRegister(ushort port, ushort address, uint value, byte[] reply)
    {
        if (port == 0xFFFF)
        {
            return Status(reply, 2, DpStatus(Dap.WriteDp(address, value)));
        }

        return Status(reply, 2, ApStatus(Dap.WriteAp(port, address, value)));
    }

    // Seeded generator (CA5394 does not apply: this is fault injection, not security).
#pragma warning disable CA5394
    private static Func<bool>? ParityHook(FaultSet faults)
    {
        if (faults.FlakyParityRate <= 0)
        {
            return null;
        }

        var random = new Random(FaultSet.DefaultFlakySeed + 1);
        return () => random.NextDouble() < faults.FlakyParityRate;
    }
#pragma warning restore CA5394

    private static StLinkStatus DpStatus(SwdAck ack) => ack switch
    {
        SwdAck.Ok => StLinkStatus.Ok,
        SwdAck.Wait => StLinkStatus.SwdDpWait,
        SwdAck.ParityError => StLinkStatus.SwdDpParityError,
        SwdAck.Fault => StLinkStatus.SwdDpFault,
        _ => StLinkStatus.SwdDpError,
    };

    private static StLinkStatus ApStatus(SwdAck ack) => ack switch
    {
        SwdAck.Ok => StLinkStatus.Ok,
        SwdAck.Wait => StLinkStatus.SwdApWait,
        SwdAck.ParityError => StLinkStatus.SwdApParityError,
        SwdAck.Fault => StLinkStatus.SwdApFault,
        _ => StLinkStatus.SwdApError,
    };

    private static StLinkStatus MemoryStatus(SwdAck ack) => ApStatus(ack);

    private int ReadCoreRegister(byte register, byte[] reply)
    {
        var ack = CoreRegisterRead(register, out var value);
        Array.Clear(reply, 0, 8);
        reply[0] = (byte)MemoryStatus(ack);
        BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(4), value);
        return 8;
    }

    private int WriteCoreRegister(byte register, uint value, byte[] reply)
    {
        // DCRDR = value, then DCRSR = REGSEL | REGWnR (bit 16) (ARMv7-M ARM C1.6.3).
        var ack = Dap.MemoryWrite(Dcrdr, AccessWidth.Word, value);
        if (ack == SwdAck.Ok)
        {
            ack = Dap.MemoryWrite(Dcrsr, AccessWidth.Word, register | DcrsrRegWnR);
        }

        return Status(reply, 2, MemoryStatus(ack));
    }

    private int ReadAllCoreRegisters(byte[] reply)
    {
        // Status, 3 bytes pad, then R0-R15, xPSR, MSP, PSP, CONTROL/FAULTMASK/BASEPRI/PRIMASK, FPSCR (88 bytes, OCD:2334).
        Array.Clear(reply, 0, 88);
        var status = StLinkStatus.Ok;
        for (var i = 0; i < 21 && status == StLinkStatus.Ok; i++)
        {
            var register = i switch
            {
                19 => 0x14,
                20 => 0x21,
                _ => i,
            };
            status = MemoryStatus(CoreRegisterRead((byte)register, out var value));
            BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(4 + (4 * i)), value);
        }

        reply[0] = (byte)status;
        return 88;
    }

    private SwdAck CoreRegisterRead(byte register, out uint value)
    {
        // DCRSR = REGSEL, wait for DHCSR.S_REGRDY (bit 16), read DCRDR (ARMv7-M ARM C1.6.3).
        value = 0;
        var ack = Dap.MemoryWrite(Dcrsr, AccessWidth.Word, register);
        if (ack != SwdAck.Ok)
        {
            return ack;
        }

        for (var poll = 0; poll < 8; poll++)
        {
            ack = Dap.MemoryRead(Dhcsr, AccessWidth.Word, out var dhcsr);
            if (ack != SwdAck.Ok || (dhcsr & DhcsrSRegRdy) != 0)
            {
                break;
            }
        }

        return ack == SwdAck.Ok ? Dap.MemoryRead(Dcrdr, AccessWidth.Word, out value) : ack;
    }

    private int RwMiscOut(uint items, ReadOnlySpan<byte> dataOut)
    {
        // OUT: ALIGN4(items) opcode bytes (1 ADDRESS, 2 WRITE, 3 READ, 5 APNUM), then items u32 values (OCD:3904-3950).
        // The results are fetched with RW_MISC_IN: items u32 values, then items u32 statuses.
        var count = (int)Math.Min(items, (uint)Personality.MaxRwMiscItems);
        var opcodeBytes = (count + 3) & ~3;
        _rwMiscResults = new byte[8 * count];
        if (dataOut.Length < opcodeBytes + (4 * count))
        {
            _lastRwStatus = StLinkStatus.CommandError;
            return 0;
        }

        var address = 0u;
        for (var i = 0; i < count; i++)
        {
            var operand = BinaryPrimitives.ReadUInt32LittleEndian(dataOut[(opcodeBytes + (4 * i))..]);
            var status = StLinkStatus.Ok;
            var result = 0u;
            switch (dataOut[i])
            {
                case 1:
                    address = operand;
                    break;
                case 2:
                    status = MemoryStatus(Dap.MemoryWrite(address, AccessWidth.Word, operand));
                    address += 4;
                    break;
                case 3:
                    status = MemoryStatus(Dap.MemoryRead(address, AccessWidth.Word, out result));
                    address += 4;
                    break;
                case 5:
                    status = operand == 0 ? StLinkStatus.Ok : StLinkStatus.BadAp;
                    break;
                default:
                    status = StLinkStatus.CommandError;
                    break;
            }

            BinaryPrimitives.WriteUInt32LittleEndian(_rwMiscResults.AsSpan(4 * i), result);
            BinaryPrimitives.WriteUInt32LittleEndian(_rwMiscResults.AsSpan((4 * count) + (4 * i)), (uint)status);
        }

        return 0;
    }

    private int Memory(StLinkDebugCommand op, ReadOnlySpan<byte> command, ReadOnlySpan<byte> dataOut, byte[] reply)
    {
        // [2..5] address, [6..7] length in bytes, [8] AP, [9..11] CSW[31:8] (§2.2).
        var address = BinaryPrimitives.ReadUInt32LittleEndian(command[2..]);
        int length = BinaryPrimitives.ReadUInt16LittleEndian(command[6..]);
        var ap = Personality.HasCsw ? command[8] : 0;
        var cswHigh = Personality.HasCsw ? (uint)(command[9] | (command[10] << 8) | (command[11] << 16)) << 8 : 0u;
        var (width, isRead, increment) = op switch
        {
            StLinkDebugCommand.ReadMem32 => (AccessWidth.Word, true, true),
            StLinkDebugCommand.WriteMem32 => (AccessWidth.Word, false, true),
            StLinkDebugCommand.ReadMem16 => (AccessWidth.HalfWord, true, true),
            StLinkDebugCommand.WriteMem16 => (AccessWidth.HalfWord, false, true),
            StLinkDebugCommand.ReadMem8 => (AccessWidth.Byte, true, true),
            StLinkDebugCommand.WriteMem8 => (AccessWidth.Byte, false, true),
            StLinkDebugCommand.WriteMem32NoInc => (AccessWidth.Word, false, false),
            _ => (AccessWidth.Word, true, false),
        };

        // A 1-byte 8-bit read sends 2 bytes (OCD:2481-2483).
        var replyLength = isRead ? Math.Max(length, width == AccessWidth.Byte ? 2 : 0) : 0;
        if (isRead)
        {
            Array.Clear(reply, 0, Math.Min(replyLength, reply.Length));
        }

        _lastFaultAddress = 0;
        var limit = width == AccessWidth.Byte ? Personality.Max8BitTransfer : Personality.MaxWordTransfer;
        if (length > limit)
        {
            _lastRwStatus = StLinkStatus.CommandError;
            return replyLength;
        }

        if ((address % (uint)width) != 0 || (length % (int)width) != 0)
        {
            _lastRwStatus = StLinkStatus.AlignmentError;
            return replyLength;
        }

        if (ap != 0)
        {
            _lastRwStatus = StLinkStatus.BadAp;
            return replyLength;
        }

        if ((Dap.CtrlStat & (SwdDebugPort.StickyErr | SwdDebugPort.StickyOrun | SwdDebugPort.WDataErr)) != 0)
        {
            Dap.Charge(1);
            Dap.Abort(SwdDebugPort.AbortStkErrClr | SwdDebugPort.AbortOrunErrClr | SwdDebugPort.AbortWdErrClr | SwdDebugPort.AbortStkCmpClr);
        }

        Dap.PrepareMemoryAccess(cswHigh == 0 ? SwdDebugPort.CswResetValue : cswHigh, width, address, increment);
        _lastRwStatus = StLinkStatus.Ok;
        var step = (int)width;
        for (var offset = 0; offset < length; offset += step)
        {
            var itemAddress = increment ? address + (uint)offset : address;
            SwdAck ack;
            if (isRead)
            {
                ack = Dap.MemoryRead(itemAddress, width, out var value, increment);
                if (ack == SwdAck.Ok && offset + step <= reply.Length)
                {
                    WriteLittleEndian(reply.AsSpan(offset), width, value);
                }
            }
            else
            {
                var value = offset + step <= dataOut.Length ? ReadLittleEndian(dataOut[offset..], width) : 0u;
                ack = Dap.MemoryWrite(itemAddress, width, value, increment);
            }

            if (ack != SwdAck.Ok)
            {
                _lastRwStatus = MemoryStatus(ack);
                _lastFaultAddress = itemAddress;
                break;
            }
        }

        if (isRead)
        {
            Dap.Charge(1); // RDBUFF read of the last posted AP read.
        }

        return replyLength;
    }

    private static uint ReadLittleEndian(ReadOnlySpan<byte> data, AccessWidth width) => width switch
    {
        AccessWidth.Byte => data[0],
        AccessWidth.HalfWord => BinaryPrimitives.ReadUInt16LittleEndian(data),
        _ => BinaryPrimitives.ReadUInt32LittleEndian(data),
    };

    private static void WriteLittleEndian(Span<byte> data, AccessWidth width, uint value)
    {
        switch (width)
        {
            case AccessWidth.Byte:
                data[0] = (byte)value;
                break;
            case AccessWidth.HalfWord:
                BinaryPrimitives.WriteUInt16LittleEndian(data, (ushort)value);
                break;
            default:
                BinaryPrimitives.WriteUInt32LittleEndian(data, value);
                break;
        }
    }
}

/// <summary>One recorded transaction of an emulated ST-LINK.</summary>
/// <param name="Command">The 16-byte command block.</param>
/// <param name="DataOutLength">Bytes of write data that followed it.</param>
/// <param name="Reply">The bytes the firmware sent back (empty for none), or null when it did not answer.</param>
public sealed record StLinkTransaction(byte[] Command, int DataOutLength, byte[]? Reply);

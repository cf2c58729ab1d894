using System.Buffers.Binary;

namespace ProdFlash.Probes.Tests.StLink;

/// <summary>
/// A responder for <see cref="FakeStLinkWire"/> that answers the handful of ST-LINK commands the ARM layer uses
/// from a word-addressed memory dictionary and a DP CTRL/STAT register, the way the reference describes them:
/// memory commands then GETLASTRWSTATUS2, DAP register access (ACK bits mirror REQ bits after <see cref="PowerUpDelayPolls"/>),
/// READ_IDCODES, ENTER, GET_CURRENT_MODE, INIT_AP. Scripted, not an emulator: no timing, no flash.
/// </summary>
public sealed class ScriptedSwdTarget
{
    private bool _debugMode;
    private uint _ctrlStat;
    private int _ctrlStatReads;
    private byte _pendingStatus = 0x80;
    private uint _pendingFault;

    public Dictionary<uint, uint> Words { get; } = [];

    public List<(uint Address, uint Value)> Writes { get; } = [];

    public Dictionary<byte, uint> ApRegisters { get; } = [];

    public List<(ushort Port, ushort Address, uint Value)> DapWrites { get; } = [];

    public uint DpIdr { get; set; } = 0x1BA01477;

    /// <summary>The GET_VERSION reply (V2J37S7 on PID 0x3748 by default).</summary>
    public string Version { get; set; } = TestProbes.V2J37S7;

    /// <summary>adc0 and adc1 of GET_TARGET_VOLTAGE (the OpenOCD doc example, 3.25 V, by default).</summary>
    public (uint Reference, uint Sense) VoltageSamples { get; set; } = (1521, 2059);

    public int PowerUpDelayPolls { get; set; }

    public bool NeverAckPowerUp { get; set; }

    /// <summary>Address ranges that fault with SWD_AP_FAULT (0x11).</summary>
    public List<(uint Start, uint End)> FaultRanges { get; } = [];

    /// <summary>Called after every 32-bit write, to model register side effects (e.g. DHCSR halt).</summary>
    public Action<ScriptedSwdTarget, uint, uint>? OnWrite { get; set; }

    public uint Read(uint address) => Words.GetValueOrDefault(address & ~3u);

    public byte[]? Respond(WireTransaction t)
    {
        var c = t.Command;
        switch (c[0])
        {
            case 0xF1:
                return Convert.FromHexString(Version.Replace(" ", string.Empty, StringComparison.Ordinal));
            case 0xF5:
                return [(byte)(_debugMode ? 0x02 : 0x01), 0x00];
            case 0xF7:
                var voltage = new byte[8];
                BinaryPrimitives.WriteUInt32LittleEndian(voltage, VoltageSamples.Reference);
                BinaryPrimitives.WriteUInt32LittleEndian(voltage.AsSpan(4), VoltageSamples.Sense);
                return voltage;
            case 0xF2 when c[1] == 0x30:
                _debugMode = DpIdr != 0;
                return [(byte)(_debugMode ? 0x80 : 0x09), 0x00];
            case 0xF2 when c[1] == 0x21:
                _debugMode = false;
                return null;
            case 0xF2:
                break;
            default:
                return null;
        }

        var address = BinaryPrimitives.ReadUInt32LittleEndian(c.AsSpan(2));
        var length = BinaryPrimitives.ReadUInt16LittleEndian(c.AsSpan(6));
        switch (c[1])
        {
            case 0x4B or 0x4C:
                return [0x80, 0x00];
            case 0x31:
                var id = new byte[12];
                id[0] = 0x80;
                BinaryPrimitives.WriteUInt32LittleEndian(id.AsSpan(4), DpIdr);
                return id;
            case 0x07 or 0x0C or 0x47:
                {
                    var data = new byte[Math.Max((int)length, t.DataInLength)];
                    for (var i = 0; i < length; i++)
                    {
                        var a = address + (uint)i;
                        data[i] = (byte)(Read(a) >> (int)((a & 3) * 8));
                    }

                    CheckFault(address, length);
                    return data;
                }

            case 0x08:
                {
                    for (var i = 0; i < length; i += 4)
                    {
                        var a = address + (uint)i;
                        var value = BinaryPrimitives.ReadUInt32LittleEndian(t.DataOut.AsSpan(i));

                        // DHCSR (0xE000EDF0) reads back status bits [31:16], not the debug key written there.
                        Words[a & ~3u] = a == 0xE000EDF0 ? (Read(a) & 0xFFFF0000) | (value & 0xFFFF) : value;
                        Writes.Add((a, value));
                        OnWrite?.Invoke(this, a, value);
                    }

                    CheckFault(address, length);
                    return null;
                }

            case 0x0D or 0x48:
                {
                    for (var i = 0; i < length; i++)
                    {
                        var a = address + (uint)i;
                        Words[a & ~3u] = MergeBytes(a, t.DataOut.AsSpan(i, 1));
                    }

                    CheckFault(address, length);
                    return null;
                }

            case 0x3E:
                var status = new byte[12];
                status[0] = _pendingStatus;
                BinaryPrimitives.WriteUInt32LittleEndian(status.AsSpan(4), _pendingFault);
                _pendingStatus = 0x80;
                return status;
            case 0x45:
                {
                    var port = BinaryPrimitives.ReadUInt16LittleEndian(c.AsSpan(2));
                    var reg = BinaryPrimitives.ReadUInt16LittleEndian(c.AsSpan(4));
                    var reply = new byte[8];
                    reply[0] = 0x80;
                    uint value;
                    if (port == 0xFFFF)
                    {
                        value = reg switch { 0 => DpIdr, 4 => CtrlStatRead(), _ => 0 };
                    }
                    else
                    {
                        value = ApRegisters.GetValueOrDefault((byte)reg);
                    }

                    BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(4), value);
                    return reply;
                }

            case 0x46:
                {
                    var port = BinaryPrimitives.ReadUInt16LittleEndian(c.AsSpan(2));
                    var reg = BinaryPrimitives.ReadUInt16LittleEndian(c.AsSpan(4));
                    var value = BinaryPrimitives.ReadUInt32LittleEndian(c.AsSpan(6));
                    DapWrites.Add((port, reg, value));
                    if (port == 0xFFFF && reg == 4)
                    {
                        _ctrlStat = value;
                        _ctrlStatReads = 0;
                    }
                    else if (port != 0xFFFF)
                    {
                        ApRegisters[(byte)reg] = value;
                    }

                    return [0x80, 0x00];
                }

            default:
                return [0x80, 0x00];
        }
    }

    private uint MergeBytes(uint address, ReadOnlySpan<byte> bytes)
    {
        var word = Read(address);
        for (var i = 0; i < bytes.Length; i++)
        {
            var shift = (int)(((address + (uint)i) & 3) * 8);
            word = (word & ~(0xFFu << shift)) | ((uint)bytes[i] << shift);
        }

        return word;
    }

    private void CheckFault(uint address, int length)
    {
        foreach (var (start, end) in FaultRanges)
        {
            if (address < end && address + (uint)length > start)
            {
                _pendingStatus = 0x11;
                _pendingFault = Math.Max(address, start);
            }
        }
    }

    private uint CtrlStatRead()
    {
        _ctrlStatReads++;
        var acks = NeverAckPowerUp || _ctrlStatReads <= PowerUpDelayPolls ? 0 : (_ctrlStat & 0x50000000u) << 1;
        return _ctrlStat | acks;
    }
}

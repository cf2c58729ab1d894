using Microsoft.Extensions.Time.Testing;
using ProdFlash.Emulator.Faults;
using ProdFlash.Emulator.StLink;
using ProdFlash.Emulator.Target;
using ProdFlash.Emulator.Timing;
using ProdFlash.Probes.StLink;

namespace ProdFlash.Emulator.Tests;

/// <summary>An emulated probe on a target, with helpers that send raw command blocks and return the reply bytes.</summary>
internal sealed class ProbeHarness
{
    public ProbeHarness(string personality = "v2j37", IEmulatedTarget? target = null, string? faults = null)
    {
        Ram = target as RamTarget ?? new RamTarget();
        var faultSet = FaultSet.ParseList(faults);
        IEmulatedTarget chip = target ?? Ram;
        if (faultSet.HasBoardFault)
        {
            chip = new BoardFaultTarget(chip, faultSet);
        }

        Clock = new ModeledClock(new FakeTimeProvider());
        Probe = new EmulatedStLink(StLinkPersonality.Create(personality), chip, Clock, faultSet, chip as IFlashActivity);
    }

    public RamTarget Ram { get; }

    public ModeledClock Clock { get; }

    public EmulatedStLink Probe { get; }

    public static byte[] Cdb(params byte[] bytes)
    {
        var cdb = new byte[StLinkWire.CommandBlockLength];
        bytes.CopyTo(cdb, 0);
        return cdb;
    }

    /// <summary>Sends a command block and reads <paramref name="replyLength"/> bytes, returning what the probe sent.</summary>
    public byte[] In(int replyLength, params byte[] command)
    {
        var reply = new byte[replyLength];
        var count = Probe.Execute(Cdb(command), [], reply);
        Assert.True(count >= 0, "the probe did not answer");
        return reply[..count];
    }

    public void Out(byte[] data, params byte[] command)
    {
        var count = Probe.Execute(Cdb(command), data, []);
        Assert.Equal(0, count);
    }

    public void EnterSwd() => Assert.Equal(new byte[] { 0x80, 0x00 }, In(2, 0xF2, 0x30, 0xA3));

    /// <summary>The 12-byte memory command header of §2.2.</summary>
    public static byte[] MemoryHeader(byte op, uint address, int length, byte ap = 0, uint csw = 0)
    {
        var header = new byte[12];
        header[0] = 0xF2;
        header[1] = op;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(2), address);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), (ushort)length);
        header[8] = ap;
        header[9] = (byte)(csw >> 8);
        header[10] = (byte)(csw >> 16);
        header[11] = (byte)(csw >> 24);
        return header;
    }

    public static byte[] DapRead(ushort port, ushort address) =>
        [0xF2, 0x45, (byte)port, (byte)(port >> 8), (byte)address, (byte)(address >> 8)];

    public static byte[] DapWrite(ushort port, ushort address, uint value) =>
        [0xF2, 0x46, (byte)port, (byte)(port >> 8), (byte)address, (byte)(address >> 8), (byte)value, (byte)(value >> 8), (byte)(value >> 16), (byte)(value >> 24)];
}

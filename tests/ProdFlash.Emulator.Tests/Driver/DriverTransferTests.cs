using ProdFlash.Core.Targets;

namespace ProdFlash.Emulator.Tests.Driver;

/// <summary>
/// How the driver splits transfers (reference §4.1-§4.2) and that what it splits arrives whole in the emulated chip:
/// 1 KiB and 4 KiB TAR boundaries, unaligned head and tail as 8-bit, 64/512-byte 8-bit limits, 6144-byte maximum.
/// </summary>
public sealed class DriverTransferTests
{
    private const byte Read32 = 0x07;
    private const byte Write32 = 0x08;
    private const byte Read8 = 0x0C;
    private const byte Write8 = 0x0D;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Pattern(int length, int seed) => [.. Enumerable.Range(0, length).Select(i => (byte)((i * 31) + seed + (i >> 8)))];

    [Fact]
    public async Task WriteAsync_12KiBFromMidPageOnCortexM3_SplitsAt4KiBBoundaries()
    {
        await using var slot = await EmulatedSlot.ConnectedAsync();
        var data = Pattern(12 * 1024, 1);
        slot.Hardware.StartRecording();

        await slot.Target.Memory.WriteAsync(EmulatedSlot.SramBase + 0x100, data, AccessWidth.Word, Ct);
        var back = new byte[data.Length];
        await slot.Target.Memory.ReadAsync(EmulatedSlot.SramBase + 0x100, back, AccessWidth.Word, Ct);

        Assert.Equal(data, back);
        Assert.Equal(4096, slot.Probe.AutoIncrementBoundary);
        var writes = slot.MemoryCommands().Where(c => c.Op == Write32).Select(c => (c.Address, c.Length));
        Assert.Equal([(0x2000_0100u, 3840), (0x2000_1000u, 4096), (0x2000_2000u, 4096), (0x2000_3000u, 256)], writes);
    }

    [Fact]
    public async Task ReadAsync_1KiBBoundary_NoCommandCrossesIt()
    {
        await using var slot = await EmulatedSlot.ConnectedAsync();
        var data = Pattern(5000, 7);
        await slot.Target.Memory.WriteAsync(EmulatedSlot.SramBase + 0x3F0, data, AccessWidth.Word, Ct);
        slot.Probe.AutoIncrementBoundary = 1024;
        slot.Hardware.StartRecording();

        var back = new byte[data.Length];
        await slot.Target.Memory.ReadAsync(EmulatedSlot.SramBase + 0x3F0, back, AccessWidth.Word, Ct);

        Assert.Equal(data, back);
        var reads = slot.MemoryCommands().Where(c => c.Op == Read32).ToList();
        Assert.Equal((0x2000_03F0u, 16), (reads[0].Address, reads[0].Length));
        Assert.All(reads, c => Assert.Equal(c.Address / 1024, (c.Address + (uint)c.Length - 1) / 1024));
        Assert.All(reads.Skip(1).SkipLast(1), c => Assert.Equal(1024, c.Length));
    }

    [Fact]
    public async Task WriteAsync_UnalignedHeadAndTail_8BitEndsAnd32BitMiddle()
    {
        await using var slot = await EmulatedSlot.ConnectedAsync();
        var data = Pattern(1500, 3);
        slot.Hardware.StartRecording();

        await slot.Target.Memory.WriteAsync(EmulatedSlot.SramBase + 1, data, AccessWidth.Word, Ct);
        var back = new byte[data.Length + 2];
        await slot.Target.Memory.ReadAsync(EmulatedSlot.SramBase, back, AccessWidth.Byte, Ct);

        Assert.Equal(data, back[1..^1]);
        var writes = slot.MemoryCommands().Where(c => c.Op is Write32 or Write8).Select(c => (c.Op, c.Address, c.Length));
        Assert.Equal([(Write8, 0x2000_0001u, 3), (Write32, 0x2000_0004u, 1496), (Write8, 0x2000_05DCu, 1)], writes);
    }

    [Theory]
    [InlineData("v2j37", 64)] // STLINK_MAX_RW8 (OCD:98)
    [InlineData("v3j9", 512)] // STLINKV3_MAX_RW8 on V3 ≥ J6 (OCD:101)
    public async Task ReadAsync_8BitOf1000Bytes_CommandsAtTheFirmwareLimit(string personality, int limit)
    {
        await using var slot = await EmulatedSlot.ConnectedAsync(personality);
        var data = Pattern(1000, 9);
        await slot.Target.Memory.WriteAsync(EmulatedSlot.SramBase, data, AccessWidth.Word, Ct);
        slot.Hardware.StartRecording();

        var back = new byte[data.Length];
        await slot.Target.Memory.ReadAsync(EmulatedSlot.SramBase, back, AccessWidth.Byte, Ct);

        Assert.Equal(data, back);
        var reads = slot.MemoryCommands().Where(c => c.Op == Read8).Select(c => c.Length).ToList();
        Assert.Equal(Enumerable.Repeat(limit, 1000 / limit).Append(1000 % limit), reads);
    }

    [Fact]
    public async Task ReadAsync_OneByte_RequestsTwoOnTheWireAndReturnsOne()
    {
        await using var slot = await EmulatedSlot.ConnectedAsync();
        await slot.Target.Memory.WriteUInt32Async(EmulatedSlot.SramBase, 0x4433_2211, Ct);
        slot.Hardware.StartRecording();

        var one = new byte[1];
        await slot.Target.Memory.ReadAsync(EmulatedSlot.SramBase + 2, one, AccessWidth.Byte, Ct);

        Assert.Equal(0x33, one[0]);
        var read = Assert.Single(slot.Hardware.Recorded(), t => t.Command[1] == Read8);
        Assert.Equal(1, read.Command[6]); // length field says 1 (OCD:2481-2483 reads 2 bytes for it)
    }

    [Fact]
    public async Task WriteAsync_WholeSram_NoCommandAbove6144AndAllArrives()
    {
        await using var slot = await EmulatedSlot.ConnectedAsync("v3j9");
        var data = Pattern(20 * 1024, 5); // the F103C8's 20 KiB of SRAM (DS5319 Table 2)
        slot.Hardware.StartRecording();

        await slot.Target.Memory.WriteAsync(EmulatedSlot.SramBase, data, AccessWidth.Word, Ct);
        var back = new byte[data.Length];
        await slot.Target.Memory.ReadAsync(EmulatedSlot.SramBase, back, AccessWidth.Word, Ct);

        Assert.Equal(data, back);
        Assert.All(slot.MemoryCommands(), c => Assert.InRange(c.Length, 1, ProdFlash.Probes.StLink.StLinkProbe.MaxWordTransfer));
    }

    [Fact]
    public async Task WriteAsync_RawWriteMem32Of6144CrossingA4KiBBoundary_FirmwareMovesTarAndDriverReadsItBack()
    {
        // OpenOCD's dapdirect sends exactly this on V2J37 (reference §4.2 LIVE); the driver itself never does.
        await using var slot = await EmulatedSlot.ConnectedAsync();
        var data = Pattern(6144, 11);
        var cdb = new byte[16];
        cdb[0] = 0xF2;
        cdb[1] = Write32;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(cdb.AsSpan(2), EmulatedSlot.SramBase + 0x800);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(cdb.AsSpan(6), 6144);

        var sent = slot.Hardware.Execute(cdb, data, []);
        var back = new byte[data.Length];
        await slot.Target.Memory.ReadAsync(EmulatedSlot.SramBase + 0x800, back, AccessWidth.Word, Ct);

        Assert.Equal(0, sent);
        Assert.Equal(data, back);
    }

    [Fact]
    public async Task ReadAsync_LastWordsOfSram_EndsExactlyAtTheTopAndNextWordFaults()
    {
        await using var slot = await EmulatedSlot.ConnectedAsync();
        const uint top = EmulatedSlot.SramBase + (20 * 1024);
        await slot.Target.Memory.WriteUInt32Async(top - 4, 0xDEAD_BEEF, Ct);

        var last = await slot.Target.Memory.ReadUInt32Async(top - 4, Ct);
        var error = await Assert.ThrowsAsync<TargetMemoryFaultException>(async () => await slot.Target.Memory.ReadAsync(top - 8, new byte[12], AccessWidth.Word, Ct));

        Assert.Equal(0xDEAD_BEEFu, last);
        Assert.Equal(top, error.Address);
    }
}

using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;

using Microsoft.Extensions.Time.Testing;
using ProdFlash.Core.Targets;
using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Timing;

namespace ProdFlash.Emulator.Tests.Chips.Execution;

/// <summary>
/// A ring-buffer flash loader (Programs/ringloader.S) running on the emulated core while the host streams data into
/// its SRAM FIFO through the emulated ST-LINK: the flash never waits for USB, so the modeled time is the flash's own
/// programming time. The host runs SWD at 4 MHz on an ST-LINK/V2, which moves data faster than the F1, G0 and L4 flashes
/// program it; F4's word (16 µs at x32, 250 KB/s) outruns a V2, so the F4 case uses an ST-LINK/V3 at 24 MHz. The host
/// starts with a small chunk and grows it, so the flash starts early; what remains above the flash's own time is the
/// first chunk, the loader's few cycles per unit between BSY clearing and the next store, and the final poll.
/// </summary>
public sealed class RingLoaderTests
{
    private const uint Fifo = 0x2000_0400;
    private const int FifoSize = 8192;
    private const uint StackTop = 0x2000_3000;
    private const uint Key1 = 0x4567_0123;
    private const uint Key2 = 0xCDEF_89AB;
    private const int SwdKiloHertz = 4000;
    private const int FirstChunk = 256;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A family's flash interface as the loader drives it (RM0008 §3.3.3, RM0090 §3.9, RM0444 §3.7, RM0351 §3.7).</summary>
    public sealed record Family(string Chip, int Unit, uint Keyr, uint Sr, uint Cr, uint CrProgram, int BsyBit, uint ErrorMask);

    public static TheoryData<string> Families => ["stm32f103c8", "stm32f407vg", "stm32g071rb", "stm32l476rg"];

    public static Family FamilyOf(string chip) => chip switch
    {
        // F1: KEYR 0x04, SR 0x0C (BSY b0, PGERR b2, WRPRTERR b4), CR 0x10 (PG b0).
        "stm32f103c8" => new(chip, 2, 0x4002_2004, 0x4002_200C, 0x4002_2010, 0x1, 0, 0x14),
        // F4: KEYR 0x04, SR 0x0C (BSY b16, WRPERR..RDERR b4-b8), CR 0x10 (PG b0, PSIZE b9:8 = 10 for x32).
        "stm32f407vg" => new(chip, 4, 0x4002_3C04, 0x4002_3C0C, 0x4002_3C10, 0x201, 16, 0x1F0),
        // G0/L4: KEYR 0x08, SR 0x10 (BSY(1) b16, OPERR b1, PROGERR..FASTERR b3-b9, RDERR b14, OPTVERR b15), CR 0x14 (PG b0).
        _ => new(chip, 8, 0x4002_2008, 0x4002_2010, 0x4002_2014, 0x1, 16, 0xC3FA),
    };

    [Theory]
    [MemberData(nameof(Families))]
    public async Task RingLoader_ProgramsTheFlashAtTheFlashsOwnSpeed(string chip)
    {
        var family = FamilyOf(chip);
        var data = new byte[(chip == "stm32f103c8" ? 32 : 96) * 1024]; // F103C8: 64 KiB of flash
        new Random(chip.Length).NextBytes(data);
        await using var slot = chip == "stm32f407vg"
            ? await CoreSlot.OpenAsync(chip, 24000, "v3j9")
            : await CoreSlot.OpenAsync(chip, SwdKiloHertz);

        var (modeled, _) = await ProgramAsync(slot, family, 0x0800_4000, data);

        var floor = UnitProgramTime(chip) * (data.Length / family.Unit);
        var ratio = modeled / floor;
        Assert.True(ratio >= 1.0, $"{modeled.TotalMilliseconds} ms is below the flash's own {floor.TotalMilliseconds} ms");
        Assert.True(ratio <= 1.10, string.Create(CultureInfo.InvariantCulture, $"{modeled.TotalMilliseconds:0.###} ms is {ratio:0.000} × the flash's {floor.TotalMilliseconds:0.###} ms: not flash-bound"));
    }

    [Fact]
    public async Task RingLoader_1MiBOnL476_ProgramsEveryDoubleWordFlashBound()
    {
        const string Chip = "stm32l476rg";
        var family = FamilyOf(Chip);
        var data = new byte[1024 * 1024];
        new Random(476).NextBytes(data);
        await using var slot = await CoreSlot.OpenAsync(Chip, SwdKiloHertz);

        var (modeled, wall) = await ProgramAsync(slot, family, 0x0800_0000, data);

        var floor = UnitProgramTime(Chip) * (data.Length / family.Unit);
        var ratio = modeled / floor;
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"1 MiB on {Chip}: modeled {modeled.TotalSeconds:0.000} s (flash floor {floor.TotalSeconds:0.000} s, ratio {ratio:0.000}), wall {wall.TotalSeconds:0.00} s"));
        Assert.True(ratio is >= 1.0 and <= 1.10, string.Create(CultureInfo.InvariantCulture, $"ratio {ratio:0.000}"));
    }

    /// <summary>Unlocks the flash, sets PG, starts the loader and streams <paramref name="data"/>; checks the flash afterwards.</summary>
    /// <returns>The modeled time from starting the loader to seeing it halt, and the wall time it took to emulate.</returns>
    internal static async Task<(TimeSpan Modeled, TimeSpan Wall)> ProgramAsync(CoreSlot slot, Family family, uint address, byte[] data)
    {
        var memory = slot.Memory;
        await memory.WriteUInt32Async(family.Keyr, Key1, Ct);
        await memory.WriteUInt32Async(family.Keyr, Key2, Ct);
        await memory.WriteUInt32Async(family.Sr, family.ErrorMask, Ct); // clear stale error flags (write 1 to clear)
        await memory.WriteUInt32Async(family.Cr, family.CrProgram, Ct);
        const uint Start = Fifo + 8;
        const uint End = Start + FifoSize;
        await slot.WriteAsync(Fifo, [.. BitConverterLe(Start), .. BitConverterLe(Start)]);
        var loader = ThumbAssembler.Assemble("ringloader.S", ("UNIT", family.Unit), ("BSY_BIT", family.BsyBit));
        await slot.LoadAsync(
            loader,
            StackTop,
            (CoreRegister.R0, family.Sr),
            (CoreRegister.R1, (uint)(data.Length / family.Unit)),
            (CoreRegister.R2, Fifo),
            (CoreRegister.R3, End),
            (CoreRegister.R4, address),
            (CoreRegister.R8, family.ErrorMask));

        var wall = Stopwatch.StartNew();
        var started = slot.Now;
        await slot.Core.RunAsync(Ct);
        var write = Start;
        var offset = 0;
        var chunks = 0;
        for (var polls = 0; offset < data.Length; polls++)
        {
            Assert.True(polls < 1_000_000, "the loader stopped consuming the FIFO");
            var read = await slot.ReadWordAsync(Fifo + 4);
            var free = (read > write ? (int)(read - write) : FifoSize - (int)(write - read)) - family.Unit;
            // 256 bytes first, then 1.5 times more each chunk (the host moves data about 1.5 times faster than these
            // flashes program it), so the flash starts early and never waits for a large chunk.
            var limit = (int)Math.Min(4096, FirstChunk * Math.Pow(1.5, chunks));
            var chunk = Math.Min(Math.Min(free, data.Length - offset), Math.Min((int)(End - write), limit)) & ~7;
            if (chunk <= 0)
            {
                continue;
            }

            await slot.WriteAsync(write, data[offset..(offset + chunk)]);
            write += (uint)chunk;
            write = write == End ? Start : write;
            await memory.WriteUInt32Async(Fifo, write, Ct);
            offset += chunk;
            chunks++;
        }

        var state = await slot.WaitForStopAsync(100_000);
        var modeled = slot.Now - started;
        wall.Stop();

        Assert.True(state.Halted, $"DHCSR 0x{state.RawDhcsr:X8}");
        var pc = await slot.RegisterAsync(CoreRegister.Pc);
        Assert.Equal(0xBE00, BinaryPrimitives.ReadUInt16LittleEndian(loader.AsSpan((int)(pc - CoreSlot.SramBase)))); // BKPT #0: done
        Assert.Equal(0u, await slot.RegisterAsync(CoreRegister.R1));
        Assert.Equal(0u, await slot.ReadWordAsync(family.Sr) & family.ErrorMask);
        var flash = new byte[data.Length];
        for (var i = 0; i < data.Length; i += 4096)
        {
            var block = await slot.ReadAsync(address + (uint)i, Math.Min(4096, data.Length - i));
            block.CopyTo(flash, i);
        }

        Assert.True(data.AsSpan().SequenceEqual(flash), "the flash does not hold the streamed data");
        return (modeled, wall.Elapsed);
    }

    /// <summary>The time one programming unit takes on <paramref name="chip"/> in the emulator's catalog model.</summary>
    internal static TimeSpan UnitProgramTime(string chip)
    {
        var target = EmulatedChips.Create(chip, ChipFaults.None, new ModeledClock(new FakeTimeProvider()), 0);
        return target switch
        {
            Stm32F1Chip f1 => f1.Spec.TypicalTimings.ProgramHalfWord,
            Stm32Chip { Spec.Family.Key: "f4" } f4 => f4.Spec.TimingsAt(4).Program.Time,
            Stm32Chip chipModel => chipModel.Spec.Timings.Program.Time,
            _ => throw new InvalidOperationException(chip),
        };
    }

    private static byte[] BitConverterLe(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }
}

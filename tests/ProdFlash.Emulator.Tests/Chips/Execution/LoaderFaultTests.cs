using System.Buffers.Binary;

using ProdFlash.Core.Targets;

namespace ProdFlash.Emulator.Tests.Chips.Execution;

/// <summary>The chip faults apply to stores the core makes exactly as to debug writes: same flash-controller path.</summary>
public sealed class LoaderFaultTests
{
    private const uint Fifo = 0x2000_0400;
    private const uint StackTop = 0x2000_3000;
    private const uint Destination = 0x0800_4000; // G071: page 8 (2 KiB pages)

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RingLoader_IntoAWriteProtectedPage_StopsOnWrperrAndLeavesTheFlashErased()
    {
        await using var slot = await CoreSlot.OpenAsync("stm32g071rb", faults: "wrp:8");

        var (pc, r0, loader) = await RunAsync(slot, new byte[64]);

        Assert.Equal(0xBE02, BinaryPrimitives.ReadUInt16LittleEndian(loader.AsSpan((int)(pc - CoreSlot.SramBase)))); // BKPT #2: flash error
        Assert.NotEqual(0u, r0 & (1u << 4)); // WRPERR, set by the same controller path a debug write takes
        Assert.All(await slot.ReadAsync(Destination, 64), b => Assert.Equal(0xFF, b));
    }

    [Fact]
    public async Task RingLoader_WithTheVerifyMismatchFault_ProgramsButTheFirstByteReadsBackWrong()
    {
        await using var slot = await CoreSlot.OpenAsync("stm32g071rb", faults: "verify-mismatch");
        var data = Enumerable.Range(0, 64).Select(i => (byte)(i * 3)).ToArray();

        var (pc, _, loader) = await RunAsync(slot, data);

        Assert.Equal(0xBE00, BinaryPrimitives.ReadUInt16LittleEndian(loader.AsSpan((int)(pc - CoreSlot.SramBase)))); // BKPT #0: done
        var readBack = await slot.ReadAsync(Destination, 64);
        Assert.Equal(data[0] ^ 1, readBack[0]);
        Assert.Equal(data[1..], readBack[1..]);
    }

    // Puts all of data in the FIFO, then runs the loader to its BKPT.
    private static async Task<(uint Pc, uint R0, byte[] Loader)> RunAsync(CoreSlot slot, byte[] data)
    {
        var family = RingLoaderTests.FamilyOf("stm32g071rb");
        await slot.Memory.WriteUInt32Async(family.Keyr, 0x4567_0123, Ct);
        await slot.Memory.WriteUInt32Async(family.Keyr, 0xCDEF_89AB, Ct);
        await slot.Memory.WriteUInt32Async(family.Cr, family.CrProgram, Ct);
        const uint Start = Fifo + 8;
        await slot.WriteAsync(Start, data);
        await slot.Memory.WriteUInt32Async(Fifo, Start + (uint)data.Length, Ct);
        await slot.Memory.WriteUInt32Async(Fifo + 4, Start, Ct);
        var loader = ThumbAssembler.Assemble("ringloader.S", ("UNIT", family.Unit), ("BSY_BIT", family.BsyBit));
        await slot.LoadAsync(
            loader,
            StackTop,
            (CoreRegister.R0, family.Sr),
            (CoreRegister.R1, (uint)(data.Length / family.Unit)),
            (CoreRegister.R2, Fifo),
            (CoreRegister.R3, Start + 4096),
            (CoreRegister.R4, Destination),
            (CoreRegister.R8, family.ErrorMask));

        var state = await slot.RunToHaltAsync();

        Assert.True(state.Halted, $"DHCSR 0x{state.RawDhcsr:X8}");
        return (await slot.RegisterAsync(CoreRegister.Pc), await slot.RegisterAsync(CoreRegister.R0), loader);
    }
}

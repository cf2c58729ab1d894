using Microsoft.Extensions.Time.Testing;
using ProdFlash.Core.Devices;
using ProdFlash.Core.Targets;
using ProdFlash.Programming.Flash;
using ProdFlash.Programming.Flash.Loaders;

namespace ProdFlash.Programming.Tests.Flash;

/// <summary>
/// The RAM loader end to end on the emulator: the loader runs on the emulated core (real ST-LINK driver stack), the
/// image reads back, and failures end exactly as the direct path's do.
/// </summary>
public sealed class RamLoaderProgrammingTests
{
    /// <summary>Address of the loader's done exit, its last BKPT (<c>finished: movs r0, #0; bkpt #0</c> in word_ring_loader.S).</summary>
    private static uint DoneBreakpoint
    {
        get
        {
            var code = RamLoaderStubs.WordRing.ToArray();
            var last = Enumerable.Range(0, code.Length / 2).Last(i => code[2 * i] == 0x00 && code[(2 * i) + 1] == 0xBE);
            return RamLoaderLayout.MainSramBase + (uint)(2 * last);
        }
    }

    /// <summary>Parts with a loader: F4 at x32 (one word a unit), G0 and L4 (double words).</summary>
    public static TheoryData<string> Chips => ["stm32g071rb", "stm32l476rg", "stm32f407vg"];

    /// <summary>The parts whose controller flags a unit that is not erased (the F4 ANDs the bits silently).</summary>
    public static TheoryData<string> ChipsFlaggingNotErased => ["stm32g071rb", "stm32l476rg"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Random(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static IFlashDriver Driver(EmulatedTarget board, RamLoaderMode loader) =>
        FlashDrivers.Create(board.Part, board.Target.Memory, new FakeTimeProvider(), new FlashDriverOptions { Loader = loader, ProgrammingVoltage = 3.3, Core = board.Target.Core });

    [Theory]
    [InlineData("stm32g071rb", 5u)]
    [InlineData("stm32l476rg", 5u)]
    [InlineData("stm32l476rg", 0x7_F000u)] // across the bank boundary at 0x08080000
    [InlineData("stm32f407vg", 5u)]
    public async Task ProgramAsync_LoaderOn_ImageReadsBackAndTheLoaderRanToItsEnd(string chip, uint offset)
    {
        // Arrange: 20 KiB + 3 at an unaligned address wraps the 8 KiB ring twice and pads both ends.
        await using var board = await EmulatedTarget.StartAsync(chip);
        var driver = Driver(board, RamLoaderMode.Auto);
        var image = Random((20 * 1024) + 3, seed: 41);
        var address = board.Part.Layout.Start + offset;
        await driver.UnlockAsync(Ct);
        var progress = new List<FlashProgress>();

        // Act
        await driver.ProgramAsync(address, image, new SyncProgress<FlashProgress>(progress.Add), Ct);

        // Assert
        Assert.Equal(image, await board.ReadAsync(address, image.Length));
        Assert.Equal(RamLoaderStubs.WordRing.ToArray(), await board.ReadAsync(RamLoaderLayout.MainSramBase, RamLoaderStubs.WordRing.Length));
        var state = await board.Target.Core.GetStateAsync(Ct);
        Assert.True(state.Halted, $"DHCSR={state.RawDhcsr:X8}");
        Assert.Equal(1u << 3, state.RawDhcsr & (1u << 3)); // C_MASKINTS: the loader ran with the firmware's interrupts masked
        Assert.Equal(DoneBreakpoint, await board.Target.Core.ReadRegisterAsync(CoreRegister.Pc, Ct));
        Assert.True(progress.Count > 2, $"{progress.Count} progress reports"); // reported as the loader's read pointer advances
        Assert.Equal(progress[^1].Total, progress[^1].Done);
        Assert.True(progress.Zip(progress.Skip(1)).All(p => p.First.Done <= p.Second.Done));
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public async Task ProgramAsync_WriteProtectedUnit_FailsAsTheDirectPathDoes(string chip)
    {
        // Arrange: the image covers units 0 and 1 and half of unit 2; unit 1 is write protected.
        var part = DeviceCatalog.Default.FindPart(chip)!;
        var units = part.Layout.Units.OrderBy(u => u.Index).ToList();
        var image = Random((int)(units[0].Size + units[1].Size + (units[2].Size / 2)), seed: 7);

        // Act
        var direct = await FailureAsync(chip, "wrp:1", RamLoaderMode.Off, image);
        var loader = await FailureAsync(chip, "wrp:1", RamLoaderMode.Auto, image);

        // Assert
        Assert.Equal(FlashFailureKind.WriteProtected, direct.Kind);
        Assert.Equal(direct.Kind, loader.Kind);
        Assert.Equal(direct.Address, loader.Address);
        Assert.Equal(units[1].Address, loader.Address);
        Assert.Equal(direct.Registers[FlashRegisterNames.Sr], loader.Registers[FlashRegisterNames.Sr]);
    }

    [Theory]
    [MemberData(nameof(ChipsFlaggingNotErased))]
    public async Task ProgramAsync_UnitNotErased_FailsAsTheDirectPathDoes(string chip)
    {
        // Arrange: a bit stuck at 0 in the third double word makes PROGERR there (the flash is otherwise erased).
        var image = Random(4096, seed: 9);
        image[0x10] |= 0x08; // the stuck bit must be a 1 in the image for programming to need it

        // Act
        var direct = await FailureAsync(chip, "stuck-bit:0x08000010:3:0", RamLoaderMode.Off, image);
        var loader = await FailureAsync(chip, "stuck-bit:0x08000010:3:0", RamLoaderMode.Auto, image);

        // Assert
        Assert.Equal(FlashFailureKind.ProgramFailed, direct.Kind);
        Assert.Equal(direct.Kind, loader.Kind);
        Assert.Equal(0x0800_0010u, direct.Address);
        Assert.Equal(direct.Address, loader.Address);

        // The loader stops at the failed unit, so its SR holds that unit's flag (PROGERR); the direct path's block
        // write goes on and adds PGSERR for the writes after it.
        var loaderSr = loader.Registers[FlashRegisterNames.Sr];
        Assert.NotEqual(0u, loaderSr);
        Assert.Equal(loaderSr, loaderSr & direct.Registers[FlashRegisterNames.Sr]);
    }

    [Fact]
    public async Task ProgramAsync_CancelledWhileStreaming_HaltsTheLoaderAndThrows()
    {
        // Arrange: cancel at the first progress report, i.e. while the loader runs and the host still streams.
        await using var board = await EmulatedTarget.StartAsync("stm32l476rg");
        var driver = Driver(board, RamLoaderMode.Auto);
        var image = Random(32 * 1024, seed: 13);
        await driver.UnlockAsync(Ct);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var progress = new SyncProgress<FlashProgress>(_ => cancel.Cancel());

        // Act
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await driver.ProgramAsync(board.Part.Layout.Start, image, progress, cancel.Token));

        // Assert: the core no longer runs the loader.
        var state = await board.Target.Core.GetStateAsync(Ct);
        Assert.True(state.Halted, $"DHCSR={state.RawDhcsr:X8}");
        var pc = await board.Target.Core.ReadRegisterAsync(CoreRegister.Pc, Ct);
        Assert.InRange(pc, RamLoaderLayout.MainSramBase, DoneBreakpoint);
    }

    [Fact]
    public async Task ProgramAsync_LoaderOff_ProgramsDirectlyAndLeavesSramAlone()
    {
        await using var board = await EmulatedTarget.StartAsync("stm32g071rb");
        var driver = Driver(board, RamLoaderMode.Off);
        var sramBefore = await board.ReadAsync(RamLoaderLayout.MainSramBase, 128);
        var image = Random(4096, seed: 3);
        await driver.UnlockAsync(Ct);

        await driver.ProgramAsync(board.Part.Layout.Start, image, null, Ct);

        Assert.Equal(image, await board.ReadAsync(board.Part.Layout.Start, image.Length));
        Assert.Equal(sramBefore, await board.ReadAsync(RamLoaderLayout.MainSramBase, 128));
    }

    private static async Task<FlashOperationException> FailureAsync(string chip, string fault, RamLoaderMode loader, byte[] image)
    {
        await using var board = await EmulatedTarget.StartAsync(chip, fault);
        var driver = Driver(board, loader);
        await driver.UnlockAsync(Ct);
        return await Assert.ThrowsAsync<FlashOperationException>(async () => await driver.ProgramAsync(board.Part.Layout.Start, image, null, Ct));
    }
}

using ProdFlash.Core.Devices;
using ProdFlash.Core.Targets;
using ProdFlash.Programming.Flash;

namespace ProdFlash.Programming.Tests.Flash;

/// <summary>The F0/F1 FPEC driver against the emulated STM32F103C8 through the real ST-LINK driver stack.</summary>
public sealed class F1FlashDriverTests
{
    // RM0008 §3.4 / reference §3.1: FLASH_CR at 0x40022010, LOCK b7; 1 KiB pages on the medium-density F103.
    private const uint FlashCr = 0x40022010;
    private const uint CrLock = 1u << 7;
    private const uint FlashBase = 0x08000000;
    private const int PageSize = 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Random(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static IReadOnlyList<EraseUnit> Pages(DevicePart part, params int[] indexes) =>
        part.Layout.Units.Where(u => indexes.Contains(u.Index)).ToList();

    [Fact]
    public async Task UnlockAsync_AfterReset_ClearsLockAndLockAsyncSetsIt()
    {
        await using var board = await EmulatedTarget.StartAsync("stm32f103c8");
        var driver = board.Driver();
        Assert.Equal(CrLock, await board.Target.Memory.ReadUInt32Async(FlashCr, Ct) & CrLock);

        await driver.UnlockAsync(Ct);
        var unlocked = await board.Target.Memory.ReadUInt32Async(FlashCr, Ct);
        await driver.UnlockAsync(Ct); // already unlocked: no keys written, no fault
        await driver.LockAsync(Ct);
        var locked = await board.Target.Memory.ReadUInt32Async(FlashCr, Ct);

        Assert.Equal(0u, unlocked & CrLock);
        Assert.Equal(CrLock, locked & CrLock);
    }

    [Fact]
    public async Task ProgramAsync_RandomImage_ReadsBackAndPadsPartialHalfWords()
    {
        await using var board = await EmulatedTarget.StartAsync("stm32f103c8");
        var driver = board.Driver();
        var image = Random(5 * PageSize + 7, seed: 1);
        const uint address = FlashBase + 0x401; // odd start: the head half-word is padded with 0xFF
        await driver.UnlockAsync(Ct);
        var progress = new List<FlashProgress>();

        await driver.ProgramAsync(address, image, new SyncProgress<FlashProgress>(progress.Add), Ct);
        await driver.LockAsync(Ct);

        Assert.Equal(image, await board.ReadAsync(address, image.Length));
        Assert.Equal(0xFF, (await board.ReadAsync(address - 1, 1))[0]);
        Assert.Equal(progress[^1].Total, progress[^1].Done);
    }

    [Fact]
    public async Task EraseAsync_TwoPages_ErasesOnlyThosePages()
    {
        await using var board = await EmulatedTarget.StartAsync("stm32f103c8");
        var driver = board.Driver();
        var image = Random(4 * PageSize, seed: 2);
        await driver.UnlockAsync(Ct);
        await driver.ProgramAsync(FlashBase, image, null, Ct);
        var progress = new List<FlashProgress>();

        await driver.EraseAsync(Pages(board.Part, 1, 2), new SyncProgress<FlashProgress>(progress.Add), Ct);

        var flash = await board.ReadAsync(FlashBase, 4 * PageSize);
        Assert.Equal(image[..PageSize], flash[..PageSize]);
        Assert.All(flash[PageSize..(3 * PageSize)], b => Assert.Equal(0xFF, b));
        Assert.Equal(image[(3 * PageSize)..], flash[(3 * PageSize)..]);
        Assert.Equal([new FlashProgress(1, 2), new FlashProgress(2, 2)], progress);
    }

    [Fact]
    public async Task MassEraseAsync_ProgrammedFlash_ErasesEverything()
    {
        await using var board = await EmulatedTarget.StartAsync("stm32f103c8");
        var driver = board.Driver();
        await driver.UnlockAsync(Ct);
        await driver.ProgramAsync(FlashBase, Random(2 * PageSize, seed: 3), null, Ct);
        await driver.ProgramAsync(FlashBase + (63 * PageSize), Random(PageSize, seed: 4), null, Ct);

        await driver.MassEraseAsync(null, Ct);

        Assert.All(await board.ReadAsync(FlashBase, 64 * PageSize), b => Assert.Equal(0xFF, b));
    }

    [Fact]
    public async Task ProgramAsync_WriteProtectedPage_ThrowsWriteProtectedWithTheAddress()
    {
        // wrp:8 protects WRPR bit 2, pages 8..11 (4 pages per bit on medium density, reference §2.3).
        await using var board = await EmulatedTarget.StartAsync("stm32f103c8", "wrp:8");
        var driver = board.Driver();
        await driver.UnlockAsync(Ct);

        var error = await Assert.ThrowsAsync<FlashOperationException>(
            async () => await driver.ProgramAsync(FlashBase + (7 * PageSize), Random(3 * PageSize, seed: 5), null, Ct));

        Assert.Equal(FlashFailureKind.WriteProtected, error.Kind);
        Assert.Equal(FlashBase + (8 * PageSize), error.Address);
        Assert.Contains("SR", error.Registers.Keys);
    }

    [Fact]
    public async Task EraseAsync_WriteProtectedPage_ThrowsWriteProtectedWithTheAddress()
    {
        await using var board = await EmulatedTarget.StartAsync("stm32f103c8", "wrp:8");
        var driver = board.Driver();
        await driver.UnlockAsync(Ct);

        var error = await Assert.ThrowsAsync<FlashOperationException>(async () => await driver.EraseAsync(Pages(board.Part, 7, 9), null, Ct));

        Assert.Equal(FlashFailureKind.WriteProtected, error.Kind);
        Assert.Equal(FlashBase + (9 * PageSize), error.Address);
    }

    [Fact]
    public async Task ProgramAsync_NotErased_ThrowsProgramFailedAtTheFirstRefusedHalfWord()
    {
        await using var board = await EmulatedTarget.StartAsync("stm32f103c8");
        var driver = board.Driver();
        await driver.UnlockAsync(Ct);
        var first = Enumerable.Repeat((byte)0xFF, PageSize).ToArray();
        first[100] = 0x55; // half-word at +100 programmed; the rest stays erased
        await driver.ProgramAsync(FlashBase, first, null, Ct);

        var error = await Assert.ThrowsAsync<FlashOperationException>(
            async () => await driver.ProgramAsync(FlashBase, Enumerable.Repeat((byte)0xAA, PageSize).ToArray(), null, Ct));

        Assert.Equal(FlashFailureKind.ProgramFailed, error.Kind);
        Assert.Equal(FlashBase + 100, error.Address);
    }

    [Fact]
    public async Task ProgramAsync_FastAgainstNaive_FarFewerTransactionsAndSameFlash()
    {
        var page = Random(PageSize, seed: 6);
        await using var fastBoard = await EmulatedTarget.StartAsync("stm32f103c8");
        await using var naiveBoard = await EmulatedTarget.StartAsync("stm32f103c8");
        var fast = fastBoard.Driver(ProgramStrategy.Fast);
        var naive = naiveBoard.Driver(ProgramStrategy.Naive);
        await fast.UnlockAsync(Ct);
        await naive.UnlockAsync(Ct);

        var fastBefore = fastBoard.Transactions;
        await fast.ProgramAsync(FlashBase, page, null, Ct);
        var fastCount = fastBoard.Transactions - fastBefore;
        var naiveBefore = naiveBoard.Transactions;
        await naive.ProgramAsync(FlashBase, page, null, Ct);
        var naiveCount = naiveBoard.Transactions - naiveBefore;

        Assert.True(naiveCount >= PageSize / 2, $"naive used {naiveCount} transactions for {PageSize / 2} half-words");
        Assert.True(fastCount * 20 < naiveCount, $"fast used {fastCount} transactions, naive {naiveCount}");
        Assert.Equal(await fastBoard.ReadAsync(FlashBase, PageSize), await naiveBoard.ReadAsync(FlashBase, PageSize));
        Assert.Equal(page, await fastBoard.ReadAsync(FlashBase, PageSize));
    }

    [Fact]
    public async Task ReadOptionBytesAsync_FactoryChip_Level0NoProtectionDefaultUserBits()
    {
        await using var board = await EmulatedTarget.StartAsync("stm32f103c8");

        var state = await board.Driver().ReadOptionBytesAsync(Ct);

        Assert.Equal(RdpLevel.Level0, state.Rdp);
        Assert.Equal((byte)0xA5, state.RdpRaw); // PM0075: RDP 0xA5 = unprotected
        Assert.Empty(state.WriteProtectedUnits);
        Assert.Equal(1u, state.Fields["WDG_SW"]);
        Assert.Equal(1u, state.Fields["nRST_STOP"]);
        Assert.Equal(0xFFFFFFFFu, state.RawRegisters["WRPR"]);
    }

    [Fact]
    public async Task WriteOptionBytesAsync_UserDataAndProtection_RoundTripsAfterReset()
    {
        await using var board = await EmulatedTarget.StartAsync("stm32f103c8");
        var driver = board.Driver();
        var change = new OptionByteChange(
            Fields: new Dictionary<string, uint> { ["DATA0"] = 0x42, ["nRST_STOP"] = 0 },
            WriteProtectedUnits: [0, 1, 2, 3]);

        var after = await driver.WriteOptionBytesAsync(change, Ct);
        var reread = await board.Driver().ReadOptionBytesAsync(Ct);

        Assert.Equal(0x42u, after.Fields["DATA0"]);
        Assert.Equal(0u, after.Fields["nRST_STOP"]);
        Assert.Equal(1u, after.Fields["WDG_SW"]);
        Assert.Equal([0, 1, 2, 3], after.WriteProtectedUnits);
        Assert.Equal(0xFFFFFFFEu, after.RawRegisters["WRPR"]); // WRPR bit 0 = 0: pages 0..3 protected
        Assert.Equal(after.Fields, reread.Fields);
        Assert.Equal(RdpLevel.Level0, reread.Rdp);
    }

    [Fact]
    public async Task WriteOptionBytesAsync_RemoveProtectionWithoutPermission_ThrowsWriteProtected()
    {
        await using var board = await EmulatedTarget.StartAsync("stm32f103c8", "wrp:4");
        var driver = board.Driver();

        var error = await Assert.ThrowsAsync<FlashOperationException>(
            async () => await driver.WriteOptionBytesAsync(new OptionByteChange(WriteProtectedUnits: []), Ct));
        var allowed = await driver.WriteOptionBytesAsync(new OptionByteChange(WriteProtectedUnits: [], AllowWriteProtectionRemoval: true), Ct);

        Assert.Equal(FlashFailureKind.WriteProtected, error.Kind);
        Assert.Equal(FlashBase + (4 * PageSize), error.Address);
        Assert.Empty(allowed.WriteProtectedUnits);
    }

    [Fact]
    public async Task WriteOptionBytesAsync_RegressWithoutPermission_ThrowsReadoutProtected()
    {
        await using var board = await EmulatedTarget.StartAsync("stm32f103c8");
        var driver = board.Driver();
        var raised = await driver.WriteOptionBytesAsync(new OptionByteChange(Rdp: RdpLevel.Level1), Ct);

        var error = await Assert.ThrowsAsync<FlashOperationException>(
            async () => await driver.WriteOptionBytesAsync(new OptionByteChange(Rdp: RdpLevel.Level0), Ct));

        Assert.Equal(RdpLevel.Level1, raised.Rdp);
        Assert.Equal(FlashFailureKind.ReadoutProtected, error.Kind);
    }

    [Fact]
    public async Task ProgramAsync_ReadoutProtected_ThrowsReadoutProtected()
    {
        await using var board = await EmulatedTarget.StartAsync("stm32f103c8", "rdp1");
        var driver = board.Driver();
        await driver.UnlockAsync(Ct);

        var error = await Assert.ThrowsAsync<FlashOperationException>(
            async () => await driver.ProgramAsync(FlashBase, Random(64, seed: 7), null, Ct));

        Assert.Equal(FlashFailureKind.ReadoutProtected, error.Kind);
    }

    [Fact]
    public async Task WriteOptionBytesAsync_RegressWithPermission_ErasesFlashThenPrograms()
    {
        await using var board = await EmulatedTarget.StartAsync("stm32f103c8", "rdp1");
        var driver = board.Driver();
        var image = Random(3 * PageSize, seed: 8);

        var after = await driver.WriteOptionBytesAsync(new OptionByteChange(Rdp: RdpLevel.Level0, AllowRdpRegression: true), Ct);
        var erased = await board.ReadAsync(FlashBase, 64 * PageSize);
        await driver.UnlockAsync(Ct);
        await driver.ProgramAsync(FlashBase, image, null, Ct);

        Assert.Equal(RdpLevel.Level0, after.Rdp);
        Assert.Equal((byte)0xA5, after.RdpRaw);
        Assert.All(erased, b => Assert.Equal(0xFF, b));
        Assert.Equal(image, await board.ReadAsync(FlashBase, image.Length));
    }

    [Fact]
    public async Task WriteOptionBytesAsync_Level2OnF1_ThrowsArgumentException()
    {
        await using var board = await EmulatedTarget.StartAsync("stm32f103c8");

        var error = await Assert.ThrowsAsync<ArgumentException>(
            async () => await board.Driver().WriteOptionBytesAsync(new OptionByteChange(Rdp: RdpLevel.Level2), Ct));

        Assert.Contains("no readout protection level 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteOptionBytesAsync_UnknownField_ThrowsArgumentExceptionNamingTheFields()
    {
        await using var board = await EmulatedTarget.StartAsync("stm32f103c8");

        var error = await Assert.ThrowsAsync<ArgumentException>(
            async () => await board.Driver().WriteOptionBytesAsync(new OptionByteChange(Fields: new Dictionary<string, uint> { ["nBOOT7"] = 1 }), Ct));

        Assert.Contains("WDG_SW", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports synchronously, in order.</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

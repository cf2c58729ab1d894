using ProdFlash.Core.Devices;
using ProdFlash.Core.Targets;
using ProdFlash.Programming.Flash;

namespace ProdFlash.Programming.Tests.Flash;

/// <summary>
/// Each family's driver against its emulated chip model through the real ST-LINK driver stack: unlock/lock, erase,
/// mass erase, program and read back, protection errors, option-byte round trips and RDP rules.
/// </summary>
public sealed class FamilyFlashDriverTests
{
    /// <summary>The chip models with a flash controller model (one per family).</summary>
    public static TheoryData<string> Chips => ["stm32f030f4", "stm32f407vg", "stm32g071rb", "stm32l476rg"];

    /// <summary>
    /// Chips whose controller refuses to program a unit that is not erased (F0/F1 PGERR, G0/L4 PROGERR); the F4 ANDs
    /// the bits without an error, which only verification catches.
    /// </summary>
    public static TheoryData<string> ChipsFlaggingNotErased => ["stm32f030f4", "stm32f103c8", "stm32g071rb", "stm32l476rg"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Random(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static EraseUnit Unit(DevicePart part, int index) => part.Layout.Units.Single(u => u.Index == index);

    /// <summary>Pages one write-protection bit covers (F0 WRPR: 4 or 2 pages per bit; one sector or page elsewhere).</summary>
    private static int Granule(string chip) => Core.Devices.DeviceCatalog.Default.FindPart(chip)!.Line.WriteProtectionPagesPerBit ?? 1;

    /// <summary>The emulator fault protecting the second write-protection group (its first unit is unit <see cref="Granule"/>).</summary>
    private static string SecondGroupProtected(string chip) => $"wrp:{Granule(chip)}";

    [Theory]
    [MemberData(nameof(Chips))]
    public async Task UnlockAsync_AfterReset_ClearsLockAndLockAsyncSetsIt(string chip)
    {
        await using var board = await EmulatedTarget.StartAsync(chip);
        var driver = board.Driver();
        var map = board.Part.Family.FlashController;
        var lockBit = map.Bit("CR", "LOCK").Mask;
        Assert.Equal(lockBit, await board.Target.Memory.ReadUInt32Async(map.Address("CR"), Ct) & lockBit);

        await driver.UnlockAsync(Ct);
        var unlocked = await board.Target.Memory.ReadUInt32Async(map.Address("CR"), Ct);
        await driver.LockAsync(Ct);
        var locked = await board.Target.Memory.ReadUInt32Async(map.Address("CR"), Ct);

        Assert.Equal(0u, unlocked & lockBit);
        Assert.Equal(lockBit, locked & lockBit);
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public async Task ProgramAsync_RandomImageAtUnalignedAddress_ReadsBack(string chip)
    {
        await using var board = await EmulatedTarget.StartAsync(chip);
        var driver = board.Driver(volts: 3.3);
        var image = Random(6000 + 3, seed: 11);
        var address = board.Part.Layout.Start + 5;
        await driver.UnlockAsync(Ct);
        var progress = new List<FlashProgress>();

        await driver.ProgramAsync(address, image, new SyncProgress<FlashProgress>(progress.Add), Ct);

        Assert.Equal(image, await board.ReadAsync(address, image.Length));
        Assert.Equal(progress[^1].Total, progress[^1].Done);
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public async Task EraseAsync_SecondAndThirdUnit_ErasesOnlyThose(string chip)
    {
        await using var board = await EmulatedTarget.StartAsync(chip);
        var driver = board.Driver();
        var part = board.Part;
        var length = (int)(Unit(part, 3).End - part.Layout.Start);
        var image = Random(length, seed: 12);
        await driver.UnlockAsync(Ct);
        await driver.ProgramAsync(part.Layout.Start, image, null, Ct);

        await driver.EraseAsync([Unit(part, 1), Unit(part, 2)], null, Ct);

        var flash = await board.ReadAsync(part.Layout.Start, length);
        var first = (int)Unit(part, 1).Size;
        var third = (int)(Unit(part, 3).Address - part.Layout.Start);
        Assert.Equal(image[..first], flash[..first]);
        Assert.All(flash[first..third], b => Assert.Equal(0xFF, b));
        Assert.Equal(image[third..], flash[third..]);
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public async Task MassEraseAsync_ProgrammedFlash_ErasesEverything(string chip)
    {
        await using var board = await EmulatedTarget.StartAsync(chip);
        var driver = board.Driver();
        var last = board.Part.Layout.Units.Last();
        await driver.UnlockAsync(Ct);
        await driver.ProgramAsync(board.Part.Layout.Start, Random(4096, seed: 13), null, Ct);
        await driver.ProgramAsync(last.Address, Random((int)last.Size, seed: 14), null, Ct);

        await driver.MassEraseAsync(null, Ct);

        Assert.All(await board.ReadAsync(board.Part.Layout.Start, 4096), b => Assert.Equal(0xFF, b));
        Assert.All(await board.ReadAsync(last.Address, (int)last.Size), b => Assert.Equal(0xFF, b));
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public async Task ProgramAsync_WriteProtectedUnit_ThrowsWriteProtectedWithTheAddress(string chip)
    {
        await using var board = await EmulatedTarget.StartAsync(chip, SecondGroupProtected(chip));
        var driver = board.Driver();
        var protectedUnit = Unit(board.Part, Granule(chip));
        await driver.UnlockAsync(Ct);

        var error = await Assert.ThrowsAsync<FlashOperationException>(
            async () => await driver.ProgramAsync(protectedUnit.Address, Random(256, seed: 15), null, Ct));

        Assert.Equal(FlashFailureKind.WriteProtected, error.Kind);
        Assert.Equal(protectedUnit.Address, error.Address);
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public async Task EraseAsync_WriteProtectedUnit_ThrowsWriteProtectedWithTheAddress(string chip)
    {
        await using var board = await EmulatedTarget.StartAsync(chip, SecondGroupProtected(chip));
        var driver = board.Driver();
        var first = Granule(chip);
        await driver.UnlockAsync(Ct);

        var error = await Assert.ThrowsAsync<FlashOperationException>(
            async () => await driver.EraseAsync([Unit(board.Part, first - 1), Unit(board.Part, first)], null, Ct));

        Assert.Equal(FlashFailureKind.WriteProtected, error.Kind);
        Assert.Equal(Unit(board.Part, first).Address, error.Address);
    }

    [Theory]
    [MemberData(nameof(ChipsFlaggingNotErased))]
    public async Task ProgramAsync_NotErased_ThrowsProgramFailedAtTheUnit(string chip)
    {
        await using var board = await EmulatedTarget.StartAsync(chip);
        var driver = board.Driver();
        var start = board.Part.Layout.Start;
        await driver.UnlockAsync(Ct);
        await driver.ProgramAsync(start + 64, Random(8, seed: 16), null, Ct);

        var error = await Assert.ThrowsAsync<FlashOperationException>(
            async () => await driver.ProgramAsync(start, Random(256, seed: 17), null, Ct));

        Assert.Equal(FlashFailureKind.ProgramFailed, error.Kind);
        Assert.Equal(start + 64, error.Address);
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public async Task ProgramAsync_FastAgainstNaive_FarFewerTransactionsAndSameFlash(string chip)
    {
        var data = Random(2048, seed: 18);
        await using var fastBoard = await EmulatedTarget.StartAsync(chip);
        await using var naiveBoard = await EmulatedTarget.StartAsync(chip);
        // The direct path's block writes (the RAM loader's round trips follow the flash's time, not the unit count).
        var fast = fastBoard.Driver(ProgramStrategy.Fast, loader: RamLoaderMode.Off);
        var naive = naiveBoard.Driver(ProgramStrategy.Naive);
        await fast.UnlockAsync(Ct);
        await naive.UnlockAsync(Ct);
        var start = fastBoard.Part.Layout.Start;

        var before = fastBoard.Transactions;
        await fast.ProgramAsync(start, data, null, Ct);
        var fastCount = fastBoard.Transactions - before;
        before = naiveBoard.Transactions;
        await naive.ProgramAsync(start, data, null, Ct);
        var naiveCount = naiveBoard.Transactions - before;

        var units = data.Length / fastBoard.Part.Family.ProgrammingUnit.Bytes;
        Assert.True(naiveCount >= units, $"naive used {naiveCount} transactions for {units} units");
        Assert.True(fastCount * 20 < naiveCount, $"fast used {fastCount} transactions, naive {naiveCount}");
        Assert.Equal(await naiveBoard.ReadAsync(start, data.Length), await fastBoard.ReadAsync(start, data.Length));
        Assert.Equal(data, await fastBoard.ReadAsync(start, data.Length));
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public async Task ReadOptionBytesAsync_FactoryChip_Level0AaNoProtection(string chip)
    {
        await using var board = await EmulatedTarget.StartAsync(chip);

        var state = await board.Driver().ReadOptionBytesAsync(Ct);

        Assert.Equal(RdpLevel.Level0, state.Rdp);
        Assert.Equal((byte)0xAA, state.RdpRaw); // reference §4.1: 0xAA = level 0 on F0/F4/G0/L4
        Assert.Empty(state.WriteProtectedUnits);
        Assert.Equal(1u, state.Fields["nRST_STOP"]);
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public async Task WriteOptionBytesAsync_UserBitAndProtection_RoundTrips(string chip)
    {
        await using var board = await EmulatedTarget.StartAsync(chip);
        var driver = board.Driver();
        var group = Enumerable.Range(2 * Granule(chip), Granule(chip)).ToList(); // the third protection group, whole
        var change = new OptionByteChange(Fields: new Dictionary<string, uint> { ["nRST_STOP"] = 0 }, WriteProtectedUnits: group);

        var after = await driver.WriteOptionBytesAsync(change, Ct);
        var reread = await board.Driver().ReadOptionBytesAsync(Ct);

        Assert.Equal(0u, after.Fields["nRST_STOP"]);
        Assert.Equal(group, after.WriteProtectedUnits);
        Assert.Equal(RdpLevel.Level0, after.Rdp);
        Assert.Equal(after.Fields, reread.Fields);
        Assert.Equal(after.WriteProtectedUnits, reread.WriteProtectedUnits);
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public async Task WriteOptionBytesAsync_RemoveProtectionWithoutPermission_ThrowsWriteProtected(string chip)
    {
        await using var board = await EmulatedTarget.StartAsync(chip, SecondGroupProtected(chip));
        var driver = board.Driver();

        var error = await Assert.ThrowsAsync<FlashOperationException>(
            async () => await driver.WriteOptionBytesAsync(new OptionByteChange(WriteProtectedUnits: []), Ct));
        var allowed = await driver.WriteOptionBytesAsync(new OptionByteChange(WriteProtectedUnits: [], AllowWriteProtectionRemoval: true), Ct);

        Assert.Equal(FlashFailureKind.WriteProtected, error.Kind);
        Assert.Equal(Unit(board.Part, Granule(chip)).Address, error.Address);
        Assert.Empty(allowed.WriteProtectedUnits);
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public async Task WriteOptionBytesAsync_RegressWithoutPermission_ThrowsReadoutProtected(string chip)
    {
        await using var board = await EmulatedTarget.StartAsync(chip);
        var driver = board.Driver();
        var raised = await driver.WriteOptionBytesAsync(new OptionByteChange(Rdp: RdpLevel.Level1), Ct);

        var error = await Assert.ThrowsAsync<FlashOperationException>(
            async () => await driver.WriteOptionBytesAsync(new OptionByteChange(Rdp: RdpLevel.Level0), Ct));

        Assert.Equal(RdpLevel.Level1, raised.Rdp);
        Assert.Equal(FlashFailureKind.ReadoutProtected, error.Kind);
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public async Task ProgramAsync_ReadoutProtected_ThrowsReadoutProtected(string chip)
    {
        await using var board = await EmulatedTarget.StartAsync(chip, "rdp1");
        var driver = board.Driver();
        await driver.UnlockAsync(Ct);

        var error = await Assert.ThrowsAsync<FlashOperationException>(
            async () => await driver.ProgramAsync(board.Part.Layout.Start, Random(64, seed: 19), null, Ct));

        Assert.Equal(FlashFailureKind.ReadoutProtected, error.Kind);
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public async Task WriteOptionBytesAsync_RegressWithPermission_ErasesFlashThenPrograms(string chip)
    {
        await using var board = await EmulatedTarget.StartAsync(chip, "rdp1");
        var driver = board.Driver();
        var image = Random(4096, seed: 20);

        var after = await driver.WriteOptionBytesAsync(new OptionByteChange(Rdp: RdpLevel.Level0, AllowRdpRegression: true), Ct);
        var erased = await board.ReadAsync(board.Part.Layout.Start, 4096);
        await driver.UnlockAsync(Ct);
        await driver.ProgramAsync(board.Part.Layout.Start, image, null, Ct);

        Assert.Equal(RdpLevel.Level0, after.Rdp);
        Assert.Equal((byte)0xAA, after.RdpRaw);
        Assert.All(erased, b => Assert.Equal(0xFF, b));
        Assert.Equal(image, await board.ReadAsync(board.Part.Layout.Start, image.Length));
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public async Task WriteOptionBytesAsync_Level2_ReturnsLevel2AndTheDebugPortIsGone(string chip)
    {
        await using var board = await EmulatedTarget.StartAsync(chip);
        var driver = board.Driver();

        var after = await driver.WriteOptionBytesAsync(new OptionByteChange(Rdp: RdpLevel.Level2), Ct);

        Assert.Equal(RdpLevel.Level2, after.Rdp);
        Assert.Equal((byte)0xCC, after.RdpRaw); // reference §4.1: 0xCC = level 2
        await Assert.ThrowsAnyAsync<TargetException>(async () => await board.ReadAsync(board.Part.Layout.Start, 4));
    }

    [Fact]
    public async Task EraseAsync_L476Bank2Page_ErasesItWithBkerAndLeavesBank1()
    {
        // The 1 MiB L476 is dual bank: bank 2 at 0x08080000, its pages numbered from 0 again (reference §2.4).
        await using var board = await EmulatedTarget.StartAsync("stm32l476rg");
        var driver = board.Driver();
        var bank2 = board.Part.Layout.UnitAt(0x08080000 + (5 * 2048))!.Value;
        var bank1 = board.Part.Layout.UnitAt(0x08000000 + (5 * 2048))!.Value;
        await driver.UnlockAsync(Ct);
        await driver.ProgramAsync(bank1.Address, Random(2048, seed: 21), null, Ct);
        await driver.ProgramAsync(bank2.Address, Random(2048, seed: 22), null, Ct);

        await driver.EraseAsync([bank2], null, Ct);

        Assert.Equal((2, 5), (bank2.Bank, bank2.Number));
        Assert.All(await board.ReadAsync(bank2.Address, 2048), b => Assert.Equal(0xFF, b));
        Assert.Equal(Random(2048, seed: 21), await board.ReadAsync(bank1.Address, 2048));
    }

    [Theory]
    [MemberData(nameof(ChipsFlaggingNotErased))]
    public async Task ProgramAsync_FlakyWaitsDuringBlockWrites_FlashHoldsTheImage(string chip)
    {
        // Random WAITs on flash writes (retried at the SWD level) must neither lose nor repeat a programming unit:
        // a repeated unit would be flagged (F0/F1 PGERR, G0/L4 PROGERR) and a lost one would not read back.
        await using var board = await EmulatedTarget.StartAsync(chip, "flaky-wait:0.3");
        var driver = board.Driver();
        var image = Random(8192, seed: 23);
        await driver.UnlockAsync(Ct);

        await driver.ProgramAsync(board.Part.Layout.Start, image, null, Ct);

        Assert.Equal(image, await board.ReadAsync(board.Part.Layout.Start, image.Length));
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public async Task WriteOptionBytesAsync_OptionProgrammingFails_ThrowsOptionBytesWriteFailed(string chip)
    {
        await using var board = await EmulatedTarget.StartAsync(chip, chipFaults: new Emulator.Chips.ChipFaults(OptionByteWriteFails: true));
        var driver = board.Driver();

        var error = await Assert.ThrowsAsync<FlashOperationException>(
            async () => await driver.WriteOptionBytesAsync(new OptionByteChange(Fields: new Dictionary<string, uint> { ["nRST_STOP"] = 0 }), Ct));

        Assert.Equal(FlashFailureKind.OptionBytesWriteFailed, error.Kind);
        Assert.Equal(1u, (await board.Driver().ReadOptionBytesAsync(Ct)).Fields["nRST_STOP"]); // the old value stays
    }
}


using Microsoft.Extensions.Time.Testing;
using ProdFlash.Core.Devices;
using ProdFlash.Core.Targets;
using ProdFlash.Programming.Flash;

namespace ProdFlash.Programming.Tests.Flash;

/// <summary>
/// Register sequences for parts without an emulator model, against a scripted transport: the F1 XL-density second
/// bank (PM0068: KEYR2/SR2/CR2/AR2 at +0x40), F4 sector erase with SNB and PSIZE, L4 bank-2 page erase with BKER.
/// </summary>
public sealed class RegisterSequenceTests
{
    // Reference §3.1 / §3.2: FPEC at 0x40022000, keys 0x45670123/0xCDEF89AB; CR: PG b0, PER b1, MER b2, STRT b6, LOCK b7.
    private const uint Key1 = 0x45670123;
    private const uint Key2 = 0xCDEF89AB;
    private const uint F1Keyr = 0x40022004;
    private const uint F1Cr = 0x40022010;
    private const uint F1Keyr2 = 0x40022044;
    private const uint F1Cr2 = 0x40022050;
    private const uint F1Ar2 = 0x40022054;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static (IFlashDriver Driver, ScriptedRegisterMemory Memory) Xl()
    {
        var memory = new ScriptedRegisterMemory(Key1, Key2);
        memory.AddLockedControl(F1Keyr, F1Cr, 1u << 7);
        memory.AddLockedControl(F1Keyr2, F1Cr2, 1u << 7);
        memory.AddStatus(0x4002200C);
        memory.AddStatus(0x4002204C);
        var part = DeviceCatalog.Default.FindPart("stm32f103rg")!;
        return (FlashDrivers.Create(part, memory, new FakeTimeProvider()), memory);
    }

    [Fact]
    public async Task UnlockAsync_F1XlDensity_UnlocksBothBanks()
    {
        var (driver, memory) = Xl();

        await driver.UnlockAsync(Ct);

        Assert.Equal([Key1, Key2], memory.WordsWrittenTo(F1Keyr));
        Assert.Equal([Key1, Key2], memory.WordsWrittenTo(F1Keyr2));
    }

    [Fact]
    public async Task EraseAsync_F1XlBank2Page_UsesTheBank2Registers()
    {
        var (driver, memory) = Xl();
        var page = driver.Part.Layout.UnitAt(0x08080000)!.Value;
        await driver.UnlockAsync(Ct);

        await driver.EraseAsync([page], null, Ct);

        Assert.Equal(2, page.Bank);
        Assert.Equal([0x08080000u], memory.WordsWrittenTo(F1Ar2));
        Assert.Equal([0x02u, 0x42u, 0x00u], memory.WordsWrittenTo(F1Cr2)); // PER, PER|STRT, then cleared
        Assert.Empty(memory.WordsWrittenTo(0x40022014)); // bank 1's AR untouched
    }

    [Fact]
    public async Task MassEraseAsync_F1Xl_StartsMerInBothBanks()
    {
        var (driver, memory) = Xl();
        await driver.UnlockAsync(Ct);

        await driver.MassEraseAsync(null, Ct);

        Assert.Equal([0x04u, 0x44u, 0x00u], memory.WordsWrittenTo(F1Cr)); // MER, MER|STRT, cleared
        Assert.Equal([0x04u, 0x44u, 0x00u], memory.WordsWrittenTo(F1Cr2));
    }

    [Fact]
    public async Task ProgramAsync_F1XlAcrossTheBankBoundary_SetsPgInEachBankAndWritesHalfWords()
    {
        var (driver, memory) = Xl();
        await driver.UnlockAsync(Ct);

        await driver.ProgramAsync(0x0807FFFC, new byte[8], null, Ct);

        var dataWrites = memory.Writes.Where(w => w.Address >= 0x08000000 && w.Address < 0x08100000).ToList();
        Assert.Equal([(0x0807FFFCu, 4), (0x08080000u, 4)], dataWrites.Select(w => (w.Address, w.Length)));
        Assert.All(dataWrites, w => Assert.Equal(AccessWidth.HalfWord, w.Width));
        Assert.Contains(0x01u, memory.WordsWrittenTo(F1Cr));
        Assert.Contains(0x01u, memory.WordsWrittenTo(F1Cr2));
    }

    [Fact]
    public async Task EraseAsync_F407Sector5At3V3_WritesSerSnbPsizeX32ThenStrt()
    {
        // Reference §3.1 F2/F4: FLASH at 0x40023C00, CR +0x10: SER b1, SNB from b3, PSIZE[9:8] (10 = x32), STRT b16, LOCK b31.
        var memory = new ScriptedRegisterMemory(Key1, Key2);
        memory.AddLockedControl(0x40023C04, 0x40023C10, 1u << 31);
        memory.AddStatus(0x40023C0C);
        var part = DeviceCatalog.Default.FindPart("stm32f407vg")!;
        var driver = FlashDrivers.Create(part, memory, new FakeTimeProvider(), new FlashDriverOptions { ProgrammingVoltage = 3.3 });
        await driver.UnlockAsync(Ct);

        await driver.EraseAsync([part.Layout.Units.Single(u => u.Index == 5)], null, Ct);

        Assert.Equal([0x0000022Au, 0x0001022Au, 0x0u], memory.WordsWrittenTo(0x40023C10));
    }

    [Fact]
    public async Task EraseAsync_F429Bank2FirstSector_SnbSixteen()
    {
        // Reference §3.1: on dual-bank F42x/43x, bank-2 sector n is SNB 0x10 | n.
        var memory = new ScriptedRegisterMemory(Key1, Key2);
        memory.AddLockedControl(0x40023C04, 0x40023C10, 1u << 31);
        memory.AddStatus(0x40023C0C);
        var part = DeviceCatalog.Default.FindPart("stm32f429zi")!;
        var driver = FlashDrivers.Create(part, memory, new FakeTimeProvider());
        await driver.UnlockAsync(Ct);

        await driver.EraseAsync([part.Layout.UnitAt(0x08100000)!.Value], null, Ct);

        Assert.Equal(0x00010182u, memory.WordsWrittenTo(0x40023C10).ElementAt(1)); // SER | SNB 16 | PSIZE x16 | STRT
    }

    [Fact]
    public async Task MassEraseAsync_F429DualBank_MerAndMer1()
    {
        var memory = new ScriptedRegisterMemory(Key1, Key2);
        memory.AddLockedControl(0x40023C04, 0x40023C10, 1u << 31);
        memory.AddStatus(0x40023C0C);
        var driver = FlashDrivers.Create(DeviceCatalog.Default.FindPart("stm32f429zi")!, memory, new FakeTimeProvider());
        await driver.UnlockAsync(Ct);

        await driver.MassEraseAsync(null, Ct);

        Assert.Equal(0x00018104u, memory.WordsWrittenTo(0x40023C10).ElementAt(1)); // MER b2 | MER1 b15 | PSIZE x16 | STRT b16
    }

    [Fact]
    public async Task EraseAsync_L476Bank2Page3_BkerAndPnbRestartingAtZero()
    {
        // Reference §3.1 L4: KEYR +0x08, CR +0x14: PER b1, PNB from b3, BKER b11, STRT b16, LOCK b31.
        var memory = new ScriptedRegisterMemory(Key1, Key2);
        memory.AddLockedControl(0x40022008, 0x40022014, 1u << 31);
        memory.AddStatus(0x40022010);
        var part = DeviceCatalog.Default.FindPart("stm32l476rg")!;
        var driver = FlashDrivers.Create(part, memory, new FakeTimeProvider());
        await driver.UnlockAsync(Ct);

        await driver.EraseAsync([part.Layout.UnitAt(0x08080000 + (3 * 2048))!.Value], null, Ct);

        Assert.Equal([0x0000081Au, 0x0001081Au, 0x0u], memory.WordsWrittenTo(0x40022014));
    }

    [Fact]
    public async Task ProgramAsync_L476_DoubleWordsAsWordWritesWithPg()
    {
        var memory = new ScriptedRegisterMemory(Key1, Key2);
        memory.AddLockedControl(0x40022008, 0x40022014, 1u << 31);
        memory.AddStatus(0x40022010);
        var driver = FlashDrivers.Create(DeviceCatalog.Default.FindPart("stm32l476rg")!, memory, new FakeTimeProvider());
        await driver.UnlockAsync(Ct);

        await driver.ProgramAsync(0x08000004, new byte[4], null, Ct); // padded to the double word at 0x08000000

        var data = memory.Writes.Single(w => w.Address >= 0x08000000 && w.Address < 0x08100000);
        Assert.Equal((0x08000000u, 8, AccessWidth.Word), (data.Address, data.Length, data.Width));
        Assert.Equal(0x1u, memory.WordsWrittenTo(0x40022014).First());
    }

    [Fact]
    public async Task WriteOptionBytesAsync_F0AtRdpLevel2_ThrowsReadoutProtectedPermanently()
    {
        // Reference §4.2 F0: OBR at 0x4002201C, RDPRT[2:1] = 11 means level 2 (permanent).
        var memory = new ScriptedRegisterMemory(Key1, Key2);
        memory.AddLockedControl(F1Keyr, F1Cr, 1u << 7);
        memory.AddStatus(0x4002200C);
        memory.Set(0x4002201C, 0b110);
        memory.Set(0x40022020, 0xFFFFFFFF);
        var driver = FlashDrivers.Create(DeviceCatalog.Default.FindPart("stm32f030f4")!, memory, new FakeTimeProvider());

        var state = await driver.ReadOptionBytesAsync(Ct);
        var error = await Assert.ThrowsAsync<FlashOperationException>(
            async () => await driver.WriteOptionBytesAsync(new OptionByteChange(Rdp: RdpLevel.Level0, AllowRdpRegression: true), Ct));

        Assert.Equal(RdpLevel.Level2, state.Rdp);
        Assert.Equal(FlashFailureKind.ReadoutProtectedPermanently, error.Kind);
        Assert.DoesNotContain(memory.Writes, w => w.Address == 0x40022008); // OPTKEYR never touched
    }

    [Fact]
    public async Task WriteOptionBytesAsync_G071TwoRanges_ProgramsWrp1AAndWrp1BThenOptstrtAndOblLaunch()
    {
        // Reference §3.1 G0: KEYR +0x08, OPTKEYR +0x0C, SR +0x10, CR +0x14 (OPTSTRT b17, OBL_LAUNCH b27, OPTLOCK b30,
        // LOCK b31), OPTR +0x20, WRP1AR +0x2C, WRP1BR +0x30; WRPxyR start page low, end page at bit 16, start > end = off.
        var memory = new ScriptedRegisterMemory(Key1, Key2);
        memory.AddLockedControl(0x40022008, 0x40022014, 1u << 31);
        memory.AddLockedControl(0x4002200C, 0x40022014, 1u << 30, 0x08192A3B, 0x4C5D6E7F);
        memory.AddStatus(0x40022010);
        memory.Set(0x40022020, 0xDFFFE1AA); // RDP 0xAA = level 0
        memory.Set(0x4002202C, 0x0000003F);
        memory.Set(0x40022030, 0x0000003F);
        var driver = FlashDrivers.Create(DeviceCatalog.Default.FindPart("stm32g071rb")!, memory, new FakeTimeProvider());

        var after = await driver.WriteOptionBytesAsync(new OptionByteChange(WriteProtectedUnits: [0, 1, 2, 3, 10, 11]), Ct);

        Assert.Equal([0x00030000u], memory.WordsWrittenTo(0x4002202C));
        Assert.Equal([0x000B000Au], memory.WordsWrittenTo(0x40022030));
        Assert.Equal([0xDFFFE1AAu], memory.WordsWrittenTo(0x40022020));
        var control = memory.WordsWrittenTo(0x40022014).ToList();
        Assert.Equal([1u << 17, 1u << 27], control); // OPTSTRT, then OBL_LAUNCH
        Assert.Equal([0, 1, 2, 3, 10, 11], after.WriteProtectedUnits);
    }

    [Fact]
    public async Task WriteOptionBytesAsync_G071ThreeRanges_ThrowsArgumentExceptionNamingThem()
    {
        var memory = new ScriptedRegisterMemory(Key1, Key2);
        memory.Set(0x40022020, 0xDFFFE1AA);
        memory.Set(0x4002202C, 0x0000003F);
        memory.Set(0x40022030, 0x0000003F);
        var driver = FlashDrivers.Create(DeviceCatalog.Default.FindPart("stm32g071rb")!, memory, new FakeTimeProvider());

        var error = await Assert.ThrowsAsync<ArgumentException>(
            async () => await driver.WriteOptionBytesAsync(new OptionByteChange(WriteProtectedUnits: [0, 5, 9]), Ct));

        Assert.Contains("0-0, 5-5, 9-9", error.Message, StringComparison.Ordinal);
        Assert.Empty(memory.Writes);
    }
}

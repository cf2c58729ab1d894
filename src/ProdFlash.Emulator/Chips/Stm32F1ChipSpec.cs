namespace ProdFlash.Emulator.Chips;

/// <summary>Program and erase times of an STM32F1 flash, typical and maximum (DS5319 Table 28 for the F103x8/xB).</summary>
/// <param name="ProgramHalfWord">Time to program one 16-bit half-word (t_prog).</param>
/// <param name="PageErase">Time to erase one page (t_ERASE).</param>
/// <param name="MassErase">Time to erase the whole main flash (t_ME).</param>
public sealed record FlashOperationTimes(TimeSpan ProgramHalfWord, TimeSpan PageErase, TimeSpan MassErase);

/// <summary>A CoreSight component in the chip's debug address space, with its identity and its ROM-table entry.</summary>
/// <param name="Name">Short name (SCS, DWT, FPB, ITM, TPIU, ETM).</param>
/// <param name="Base">Base address of the component's 4 KiB window.</param>
/// <param name="Identity">The PIDR/CIDR values the component reports.</param>
/// <param name="ListedInRomTable">Whether the ROM table marks the entry present.</param>
public sealed record CoreSightComponent(string Name, uint Base, CoreSightIdentity Identity, bool ListedInRomTable);

/// <summary>
/// Everything that makes one STM32F1 part what it is to a debugger: identity registers, memory sizes, ROM table,
/// flash geometry and timings. One record per part; the chip model takes all of its facts from here.
/// </summary>
/// <remarks>
/// Built by <see cref="Stm32F1Specs.FromCatalog(ProdFlash.Core.Devices.DevicePart, ushort)"/> from the device catalog; the few debug facts the catalog does not
/// hold are cited there.
/// </remarks>
public sealed record Stm32F1ChipSpec
{
    /// <summary>
    /// Whether the model has the CRC unit and DMA1 (docs/onchip-verify.md). True for ST parts; the look-alike models
    /// set it false because the reference lists no CRC/DMA facts for them.
    /// </summary>
    public bool HasCrcAndDma { get; init; } = true;

    /// <summary>Part name in lower case, as the device catalog names it (e.g. <c>stm32f103c8</c>).</summary>
    public required string PartName { get; init; }

    /// <summary>DBGMCU_IDCODE DEV_ID (bits [11:0]).</summary>
    public required ushort DevId { get; init; }

    /// <summary>DBGMCU_IDCODE REV_ID (bits [31:16]).</summary>
    public required ushort RevId { get; init; }

    /// <summary>
    /// DBGMCU_IDCODE bits [15:12], outside DEV_ID and REV_ID (reserved in RM0008); a genuine F103 reads 0x6 there.
    /// </summary>
    public required byte DbgMcuIdCodeReservedNibble { get; init; }

    /// <summary>SW-DP DPIDR.</summary>
    public required uint DpIdr { get; init; }

    /// <summary>AHB-AP IDR.</summary>
    public required uint ApIdr { get; init; }

    /// <summary>AHB-AP BASE (ROM table address with format/present bits).</summary>
    public required uint ApBase { get; init; }

    /// <summary>Cortex-M CPUID at 0xE000ED00.</summary>
    public required uint CpuId { get; init; }

    /// <summary>Main flash base address.</summary>
    public required uint FlashBase { get; init; }

    /// <summary>Main flash size in bytes (also what the flash-size register reports, in KiB).</summary>
    public required int FlashSize { get; init; }

    /// <summary>Erase page size in bytes.</summary>
    public required int PageSize { get; init; }

    /// <summary>Pages covered by one FLASH_WRPR bit.</summary>
    public required int PagesPerWriteProtectBit { get; init; }

    /// <summary>SRAM base address.</summary>
    public required uint SramBase { get; init; }

    /// <summary>SRAM size in bytes.</summary>
    public required int SramSize { get; init; }

    /// <summary>System memory (boot loader) base address.</summary>
    public required uint SystemMemoryBase { get; init; }

    /// <summary>System memory size in bytes, up to the flash-size register.</summary>
    public required int SystemMemorySize { get; init; }

    /// <summary>Address of the 16-bit flash-size register (value in KiB).</summary>
    public required uint FlashSizeRegisterAddress { get; init; }

    /// <summary>Address of the 96-bit unique device ID.</summary>
    public required uint UniqueIdAddress { get; init; }

    /// <summary>Address of the 16-byte option-byte block.</summary>
    public required uint OptionBytesAddress { get; init; }

    /// <summary>Base of the flash program/erase controller (FPEC) registers.</summary>
    public required uint FlashRegistersBase { get; init; }

    /// <summary>First FLASH_KEYR unlock key.</summary>
    public required uint FlashKey1 { get; init; }

    /// <summary>Second FLASH_KEYR unlock key.</summary>
    public required uint FlashKey2 { get; init; }

    /// <summary>First FLASH_OPTKEYR unlock key (on F1 the same as <see cref="FlashKey1"/>).</summary>
    public required uint OptionKey1 { get; init; }

    /// <summary>Second FLASH_OPTKEYR unlock key.</summary>
    public required uint OptionKey2 { get; init; }

    /// <summary>Whether the family has readout protection level 2 (F1: no).</summary>
    public required bool HasRdpLevel2 { get; init; }

    /// <summary>Address of DBGMCU_IDCODE (DBGMCU_CR follows at +4).</summary>
    public required uint DbgMcuIdCodeAddress { get; init; }

    /// <summary>Address of the CoreSight ROM table (AP BASE without its low bits).</summary>
    public uint RomTableAddress => ApBase & 0xFFFFF000;

    /// <summary>The ROM table's own PIDR/CIDR.</summary>
    public required CoreSightIdentity RomTableIdentity { get; init; }

    /// <summary>The CoreSight components, in ROM-table order.</summary>
    public required IReadOnlyList<CoreSightComponent> Components { get; init; }

    /// <summary>Number of FPB code comparators (FP_CTRL NUM_CODE).</summary>
    public required int FpbCodeComparators { get; init; }

    /// <summary>Number of FPB literal comparators (FP_CTRL NUM_LIT).</summary>
    public required int FpbLiteralComparators { get; init; }

    /// <summary>Number of DWT comparators (DWT_CTRL NUMCOMP).</summary>
    public required int DwtComparators { get; init; }

    /// <summary>
    /// The flash timings the model charges: the catalog's typical, else its maximum (DS5319 Table 28 gives the F1 page
    /// and mass erase only as 20–40 ms, no typical).
    /// </summary>
    public required FlashOperationTimes TypicalTimings { get; init; }

    /// <summary>Maximum flash timings from the datasheet (for drivers' timeouts).</summary>
    public required FlashOperationTimes MaximumTimings { get; init; }

    /// <summary>Nominal supply voltage the probe senses, in volts.</summary>
    public required double NominalVoltage { get; init; }

    /// <summary>
    /// Offset of bank 2 from <see cref="FlashBase"/> on XL-density parts (0x80000: bank 1 is the first 512 KiB), which
    /// bank 2's own FPEC registers (KEYR2/SR2/CR2/AR2 at +0x40) control; null on single-bank parts.
    /// </summary>
    public int? Bank2Offset { get; init; }

    /// <summary>What the model assumes where the catalog has no value, by what (empty when the catalog gives everything).</summary>
    public IReadOnlyDictionary<string, string> Assumptions { get; init; } = new Dictionary<string, string>();

    /// <summary>DBGMCU_IDCODE value: REV_ID &lt;&lt; 16 | reserved nibble &lt;&lt; 12 | DEV_ID.</summary>
    public uint DbgMcuIdCode => ((uint)RevId << 16) | ((uint)(DbgMcuIdCodeReservedNibble & 0xF) << 12) | DevId;

    /// <summary>Number of erase pages in the main flash.</summary>
    public int PageCount => FlashSize / PageSize;
}

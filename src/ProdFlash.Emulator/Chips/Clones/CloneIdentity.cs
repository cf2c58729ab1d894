namespace ProdFlash.Emulator.Chips.Clones;

/// <summary>
/// One fact about a look-alike chip with where it comes from: a cited cell of reference stm32-targets.md §5
/// (<see cref="Source"/>), or a plausible value chosen where the reference says NOT FOUND (<see cref="Assumption"/>).
/// </summary>
/// <typeparam name="T">Type of the value.</typeparam>
/// <param name="Value">The value the model uses.</param>
/// <param name="Source">The reference cell and source key, when the value is published.</param>
/// <param name="Assumption">Why the value was chosen, when it is not published.</param>
public sealed record CloneFact<T>(T Value, string? Source, string? Assumption)
{
    /// <summary>Whether the value is an assumption rather than a published fact.</summary>
    public bool IsAssumption => Assumption is not null;
}

/// <summary>What a 32-bit AHB write into main flash does while FLASH_CR.PG is set.</summary>
public enum CloneWordWrite
{
    /// <summary>Programs both half-words, low address first (the genuine model).</summary>
    BothHalfWords,

    /// <summary>Programs only the low half-word; the high one is lost (APM32: "only one half-word gets written").</summary>
    LowHalfOnly,

    /// <summary>Programs the word (GD32: 32-bit flash writes accepted).</summary>
    Word,
}

/// <summary>What a write into main flash does while a programming operation is still busy.</summary>
public enum CloneBusyWrite
{
    /// <summary>The bus stalls (the AHB-AP answers WAIT) until BSY clears, then the write is done (the genuine model).</summary>
    Stall,

    /// <summary>The write completes on the bus but nothing is programmed: the firmware must wait for BSY first (APM32).</summary>
    Dropped,
}

/// <summary>
/// The identity and quirks of one emulated STM32F103 look-alike, as <c>clone-identities.json</c> gives them (one entry
/// per part, every value with its source or marked as an assumption).
/// </summary>
public sealed record CloneIdentity
{
    /// <summary>Part name in lower case, as selectors name it (e.g. <c>cks32f103c8</c>).</summary>
    public required string Part { get; init; }

    /// <summary>Maker of the part.</summary>
    public required string Maker { get; init; }

    /// <summary>Clone family as issue 4 names the verdicts (CKS32/CS32, APM32, GD32, CH32, HK32, AT32).</summary>
    public required string FamilyLabel { get; init; }

    /// <summary>The genuine catalog part it copies (e.g. <c>stm32f103c8</c>): the model starts from that part's spec.</summary>
    public required string Copies { get; init; }

    /// <summary>SW-DP DPIDR.</summary>
    public required CloneFact<uint> DpIdr { get; init; }

    /// <summary>AHB-AP IDR.</summary>
    public required CloneFact<uint> ApIdr { get; init; }

    /// <summary>CPUID at 0xE000ED00.</summary>
    public required CloneFact<uint> CpuId { get; init; }

    /// <summary>Name of the set of core CoreSight component IDs (SCS, DWT, FPB, ITM, TPIU, ETM).</summary>
    public required CloneFact<string> ComponentSet { get; init; }

    /// <summary>The ROM table's 40-bit peripheral ID (PIDR4 in bits [39:32]).</summary>
    public required CloneFact<ulong> RomTablePeripheralId { get; init; }

    /// <summary>Whether the ROM table's ETM entry (0xE00FF014) is marked present.</summary>
    public required CloneFact<bool> EtmInRomTable { get; init; }

    /// <summary>The whole DBGMCU_IDCODE word.</summary>
    public required CloneFact<uint> DbgMcuIdCode { get; init; }

    /// <summary>What the flash-size register's low half-word reports, in KiB.</summary>
    public required CloneFact<uint> FlashSizeRegisterKiB { get; init; }

    /// <summary>What the flash-size register's high half-word reports (GD32: SRAM in KiB); null when it is not a 32-bit register.</summary>
    public CloneFact<uint>? FlashSizeRegisterSramKiB { get; init; }

    /// <summary>Size of the main flash array the model programs, in KiB.</summary>
    public required CloneFact<uint> FlashArrayKiB { get; init; }

    /// <summary>Erase page size in bytes, when it differs from the copied part.</summary>
    public CloneFact<uint>? PageSize { get; init; }

    /// <summary>SRAM size in KiB, when it differs from the copied part.</summary>
    public CloneFact<uint>? SramKiB { get; init; }

    /// <summary>The UID's top byte (AT32: project ID), when it is fixed.</summary>
    public CloneFact<uint>? UidProjectId { get; init; }

    /// <summary>Size of the option-byte (AT32: USD) block in bytes, when larger than the F1's 16.</summary>
    public CloneFact<uint>? OptionBlockBytes { get; init; }

    /// <summary>RCC_AHBENR bits that keep a written 1 although a genuine F103 leaves them reserved (read as 0).</summary>
    public required CloneFact<uint> AhbEnrStickyBits { get; init; }

    /// <summary>Whether the part has FLASH_MODEKEYR and CR.FLOCK (CH32 fast-programming unlock).</summary>
    public CloneFact<bool>? ModeKeyRegister { get; init; }

    /// <summary>What a 32-bit write into main flash programs.</summary>
    public required CloneFact<CloneWordWrite> WordWrite { get; init; }

    /// <summary>What a write into main flash does while busy.</summary>
    public required CloneFact<CloneBusyWrite> WriteWhileBusy { get; init; }

    /// <summary>The CoreSight component peripheral IDs of <see cref="ComponentSet"/>, by component name.</summary>
    public required IReadOnlyDictionary<string, ulong> ComponentPeripheralIds { get; init; }

    /// <summary>Whether the part has FLASH_MODEKEYR (convenience over <see cref="ModeKeyRegister"/>).</summary>
    public bool HasModeKeyRegister => ModeKeyRegister?.Value == true;

    /// <summary>Every fact of the entry by its JSON name, for listing sources and assumptions.</summary>
    public IEnumerable<(string Name, string? Source, string? Assumption)> Facts()
    {
        static (string, string?, string?) Of<T>(string name, CloneFact<T> fact) => (name, fact.Source, fact.Assumption);
        yield return Of("dpIdr", DpIdr);
        yield return Of("apIdr", ApIdr);
        yield return Of("cpuId", CpuId);
        yield return Of("componentSet", ComponentSet);
        yield return Of("romTable", RomTablePeripheralId);
        yield return Of("etmInRomTable", EtmInRomTable);
        yield return Of("dbgMcuIdCode", DbgMcuIdCode);
        yield return Of("flashSizeRegisterKiB", FlashSizeRegisterKiB);
        yield return Of("flashArrayKiB", FlashArrayKiB);
        yield return Of("ahbEnrStickyBits", AhbEnrStickyBits);
        yield return Of("wordWrite", WordWrite);
        yield return Of("writeWhileBusy", WriteWhileBusy);
        if (FlashSizeRegisterSramKiB is { } sram)
        {
            yield return Of("flashSizeRegisterSramKiB", sram);
        }

        if (PageSize is { } page)
        {
            yield return Of("pageSize", page);
        }

        if (SramKiB is { } sramKiB)
        {
            yield return Of("sramKiB", sramKiB);
        }

        if (UidProjectId is { } project)
        {
            yield return Of("uidProjectId", project);
        }

        if (OptionBlockBytes is { } block)
        {
            yield return Of("optionBlockBytes", block);
        }

        if (ModeKeyRegister is { } modeKey)
        {
            yield return Of("modeKeyRegister", modeKey);
        }
    }
}

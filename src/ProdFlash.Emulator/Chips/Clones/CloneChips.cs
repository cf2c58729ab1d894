using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Chips.Clones;

/// <summary>Builds the look-alike chip models of <see cref="CloneCatalog"/> and names them for emulator selectors.</summary>
public static class CloneChips
{
    /// <summary>PIDR4 of the Cortex-M core components: ARM continuation code 4 (reference §4.3).</summary>
    private const ulong ArmContinuationPidr4 = 0x04_0000_0000;

    // Seed of slot 0's UID for the first look-alike; each part gets its own block of seeds, each slot one seed.
    private const ulong UidSeedBase = 0xC10E_0000;

    /// <summary>Names of the look-alike models (lower-case part numbers, e.g. <c>cks32f103c8</c>).</summary>
    public static IReadOnlyList<string> Names => [.. CloneCatalog.ByPart.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Creates look-alike <paramref name="part"/>.</summary>
    /// <exception cref="ChipConfigurationException">No look-alike of that name, or a fault the part cannot have.</exception>
    public static CloneChip Create(string part, IModeledClock clock, ChipFaults? faults = null, ulong uidSeed = 0) =>
        new(CloneCatalog.Get(part), clock, faults, uidSeed);

    /// <summary>One chip factory per look-alike, for <see cref="EmulatedChips"/>.</summary>
    public static IEnumerable<KeyValuePair<string, ChipFactory>> Factories()
    {
        var block = 0UL;
        foreach (var name in Names)
        {
            var identity = CloneCatalog.ByPart[name];
            var seedBase = UidSeedBase + (0x100 * block++);
            yield return new(name, (faults, clock, index) => new CloneChip(identity, clock, faults, seedBase + (ulong)index));
        }
    }

    /// <summary>
    /// The F1 spec of a look-alike: the copied genuine part's spec with the clone's identity registers, ROM table,
    /// CoreSight component IDs, flash and SRAM sizes put in.
    /// </summary>
    /// <exception cref="ChipConfigurationException">The copied part is not in the device catalog or not an F1.</exception>
    public static Stm32F1ChipSpec BuildSpec(CloneIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var genuine = Stm32F1Specs.FromCatalog(identity.Copies);
        var idCode = identity.DbgMcuIdCode.Value;
        var components = genuine.Components.Select(component =>
        {
            var pid = identity.ComponentPeripheralIds.TryGetValue(component.Name, out var clonePid)
                ? ArmContinuationPidr4 | clonePid
                : component.Identity.PeripheralId;
            return component with
            {
                Identity = component.Identity with { PeripheralId = pid },
                ListedInRomTable = component.Name == "ETM" ? identity.EtmInRomTable.Value : component.ListedInRomTable,
            };
        });
        return genuine with
        {
            PartName = identity.Part,
            HasCrcAndDma = false, // stm32-targets.md lists no CRC/DMA facts for the look-alikes: not modeled, so the engine reads back

            DevId = (ushort)(idCode & 0xFFF),
            RevId = (ushort)(idCode >> 16),
            DbgMcuIdCodeReservedNibble = (byte)((idCode >> 12) & 0xF),
            DpIdr = identity.DpIdr.Value,
            ApIdr = identity.ApIdr.Value,
            CpuId = identity.CpuId.Value,
            RomTableIdentity = new CoreSightIdentity(identity.RomTablePeripheralId.Value, CoreSightIdentity.RomTableComponentId),
            Components = [.. components],
            FlashSize = (int)identity.FlashArrayKiB.Value * 1024,
            PageSize = (int?)identity.PageSize?.Value ?? genuine.PageSize,
            SramSize = identity.SramKiB is { } sram ? (int)sram.Value * 1024 : genuine.SramSize,
        };
    }
}

using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Chips.Clones;
using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator;

/// <summary>Builds the chip model for one emulated slot.</summary>
/// <param name="faults">Chip-level faults to apply.</param>
/// <param name="clock">The slot's modeled clock.</param>
/// <param name="index">The slot's index, so each chip gets its own UID.</param>
public delegate IEmulatedTarget ChipFactory(ChipFaults faults, IModeledClock clock, int index);

/// <summary>The chip models the emulator can put behind a probe, by catalog name (e.g. <c>stm32f103c8</c>).</summary>
public static class EmulatedChips
{
    private static readonly Dictionary<string, ChipFactory> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["stm32f103c8"] = (faults, clock, index) => new Stm32F1Chip(Stm32F1Specs.Stm32F103C8, clock, faults, UidSeedBase + (ulong)index),
    };

    static EmulatedChips()
    {
        // Every catalog F1 part whose identity and timings the catalog knows well enough for the F1 model
        // (medium density: stm32f103c8, stm32f103cb, ...; XL density with its bank-2 registers: stm32f103zg, stm32f103rg,
        // ...); the others are named in Stm32F1Specs.Unmodeled.
        foreach (var (name, spec) in Stm32F1Specs.CatalogSpecs())
        {
            Factories.TryAdd(name, (faults, clock, index) => new Stm32F1Chip(spec.Value, clock, faults, UidSeedBase + (ulong)index));
        }

        // Every catalog part of the F0/F4/G0/L4 families, by its lower-case part number (issue 4 §8).
        foreach (var part in Stm32Specs.CatalogParts())
        {
            var spec = new Lazy<Stm32ChipSpec>(() => Stm32Specs.FromCatalog(part));
            Factories.TryAdd(part.PartNumber, (faults, clock, index) => new Stm32Chip(spec.Value, clock, faults, UidSeedBase + (ulong)index));
        }

        // The STM32F103 look-alikes (cks32f103c8, apm32f103c8, ...) come from the embedded clone-identity catalog.
        foreach (var (name, factory) in CloneChips.Factories())
        {
            Factories[name] = factory;
        }
    }

    // Seed of slot 0's UID; slot i gets this plus i, so every emulated chip has its own UID.
    private const ulong UidSeedBase = 0x0F10_3C80;

    /// <summary>Names of the chips available.</summary>
    public static IReadOnlyList<string> Names => [.. Factories.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Creates chip <paramref name="name"/> with <paramref name="faults"/>.</summary>
    /// <exception cref="EmulatorConfigurationException">No chip model has that name, or the chip refuses a fault.</exception>
    public static IEmulatedTarget Create(string name, ChipFaults faults, IModeledClock clock, int index)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Factories.TryGetValue(name, out var factory))
        {
            var known = Names.Count == 0 ? "none is built into this version" : string.Join(", ", Names);
            throw new EmulatorConfigurationException($"No emulated chip named '{name}'; available: {known}.");
        }

        try
        {
            return factory(faults, clock, index);
        }
        catch (ChipConfigurationException error)
        {
            throw new EmulatorConfigurationException($"Chip '{name}' cannot be built with these faults: {error.Message}", error);
        }
    }

    /// <summary>Registers a chip model under <paramref name="name"/> (replacing one of the same name).</summary>
    public static void Register(string name, ChipFactory factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        lock (Factories)
        {
            Factories[name] = factory;
        }
    }
}

using System.Diagnostics;
using System.Globalization;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Images;
using ProdFlash.Core.Probes;
using ProdFlash.Core.Recipes;
using ProdFlash.Emulator;
using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Selection;
using ProdFlash.Programming.Engine;

// Benchmark "Programming vs the physical floor"; prints the docs/benchmarks.md section.
//   dotnet run -c Release --project bench/ProdFlash.Bench.Programming
// Every attempt runs through the engine on the emulator's modeled time (ST-LINK/V2 J37 at 4 MHz, V3 J9 at 24 MHz): the image fills
// the part's flash (random bytes), the recipe is the catalog default (auto erase, readback verify).
var inv = CultureInfo.InvariantCulture;
(string Chip, string Label)[] targets =
[
    ("stm32f103c8", "F103C8 64 KiB"),
    ("stm32f103cb", "F103CB 128 KiB"),
    ("stm32f407vg", "F407VG 1 MiB"),
    ("stm32g071rb", "G071RB 128 KiB"),
    ("stm32l476rg", "L476RG 1 MiB"),
];
var rows = new List<string>();
var breakdown = new List<string>();
var provider = new EmulatorProbeProvider();
foreach (var (chip, label) in targets)
{
    if (!EmulatedChips.Names.Contains(chip))
    {
        rows.Add($"| {label} | — | no emulator model of {chip} on this build | | | | | | | |");
        continue;
    }

    var part = DeviceCatalog.Default.FindPart(chip)!;
    var bytes = new byte[part.FlashBytes];
    new Random(103).NextBytes(bytes);
    var image = new MemoryImage([new ImageSegment(part.Layout.Start, bytes)]);
    // The naive strategy needs more than the default 120 s program limit on 64 KiB; the limit is raised so it finishes.
    var recipe = Recipe.CreateDefault(part, "bench", "1", new RecipeImage(null, null)) with
    {
        Timeouts = new PhaseTimeouts(new Dictionary<AttemptPhase, TimeSpan> { [AttemptPhase.Program] = TimeSpan.FromHours(1) }),
    };
    var runs = new[]
    {
        (Strategy: "fast", Factory: AttemptOptions.Fast, Probe: "v2j37", KHz: 4000),
        (Strategy: "naive", Factory: AttemptOptions.Naive, Probe: "v2j37", KHz: 4000),
        (Strategy: "fast", Factory: AttemptOptions.Fast, Probe: "v3j9", KHz: 24000),
    };
    foreach (var (strategy, factory, personality, kHz) in runs)
    {
        var selector = ProbeSelector.Parse($"emulator://{chip}?probe={personality}");
        var run = recipe with { Connect = ConnectSettings.Default with { FrequencyKHz = kHz } };
        var probe = await provider.OpenAsync(selector, CancellationToken.None);
        await using (probe)
        {
            var wall = Stopwatch.StartNew();
            var result = await new AttemptEngine(new AttemptOptions { FlashDrivers = factory }).RunAsync(probe, run, image, null, null, CancellationToken.None);
            wall.Stop();
            var catalogFloor = result.Floor?.Total;
            var floor = catalogFloor ?? ModelFloor(part, bytes.Length, kHz);
            var program = result.ProgramPhaseModeled;
            var transactions = result.Phases.Sum(p => p.Transactions);
            if (strategy == "fast")
            {
                // Where the attempt's modeled time goes, per phase (seconds / USB transactions).
                breakdown.Add(string.Create(inv, $"| {label} | {personality} {kHz} kHz | {string.Join(" | ", Enum.GetValues<AttemptPhase>().Select(ph => result.Phases.FirstOrDefault(p => p.Phase == ph) is { } e ? $"{e.Modeled.TotalSeconds:F3} s / {e.Transactions}" : "—"))} |"));
            }

            rows.Add(string.Create(inv,
                $"| {label} | {strategy}, {personality} {kHz} kHz | {result.Outcome}{(result.FailureCode is { } c ? " " + c : string.Empty)} | {(catalogFloor is null ? Seconds(floor) + " (model times)" : Seconds(floor))} | {program.TotalSeconds:F3} s | {Ratio(program, floor)} | {result.Modeled.TotalSeconds:F3} s | {Ratio(result.Modeled, floor)} | {transactions} | {wall.Elapsed.TotalSeconds:F1} s |"));
        }
    }
}

Console.WriteLine("## Programming vs the physical floor");
Console.WriteLine();
Console.WriteLine("Command: `dotnet run -c Release --project bench/ProdFlash.Bench.Programming`  ");
Console.WriteLine(string.Create(inv, $"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; 1-minute load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}  "));
Console.WriteLine(string.Create(inv, $"Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));
Console.WriteLine();
Console.WriteLine("Whole attempts through `AttemptEngine` on the emulator's modeled time (ST-LINK/V2 J37 at SWD 4000 kHz; STLINK-V3 J9 at 24000 kHz), image = the");
Console.WriteLine("part's whole flash of random bytes, catalog default recipe (auto erase, checksum verify: the chip's CRC unit fed by a DMA");
Console.WriteLine("memory-to-memory transfer, docs/onchip-verify.md; the emulator charges 5 AHB clocks a word at the reset clock). F4/G0/L4 \"fast\" programs");
Console.WriteLine("through the RAM loader (the target's core programs from an SRAM ring the host keeps full; docs/programming-engine.md); F1 by");
Console.WriteLine("half-word block writes. Floor (DESIGN §7) = catalog typical program time per programming unit + the cheaper erase (typical,");
Console.WriteLine("else the datasheet minimum: DS5319 gives the F1 erase as 20–40 ms) + the image over SWD once (46 clocks per word); the");
Console.WriteLine("loader overlaps that transfer with programming, so its ratios can fall below 1.");
Console.WriteLine("\"program\" = erase + program phases. Targets: program ≤ 1.10 × floor, attempt ≤ 1.25 × floor. Wall = host time to emulate.");
Console.WriteLine("F4/G0/L4: the catalog has no typical flash times (stm32-targets.md §7), so the floor marked \"model times\" uses the times");
Console.WriteLine("the emulator's chip model charges (catalog maximum where known, else its datasheet fallback): a check of the strategy");
Console.WriteLine("under the model, not a datasheet floor.");
Console.WriteLine();
Console.WriteLine("| part, image | strategy | result | floor | program | program / floor | attempt | attempt / floor | USB transactions | wall |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
rows.ForEach(Console.WriteLine);
Console.WriteLine();
Console.WriteLine("Where the fast attempts' modeled time goes (seconds / USB transactions per phase):");
Console.WriteLine();
Console.WriteLine($"| part | probe | {string.Join(" | ", Enum.GetValues<AttemptPhase>().Select(p => p.ToString()))} |");
Console.WriteLine($"|---|---|{string.Concat(Enumerable.Repeat("---|", Enum.GetValues<AttemptPhase>().Length))}");
breakdown.ForEach(Console.WriteLine);
return 0;

// For F4/G0/L4 the catalog has no typical program/erase times (stm32-targets.md §7), so there is no datasheet floor.
// The "model times" floor uses the times the emulator's chip model charges instead (catalog maximum where known, else
// its datasheet fallbacks: Stm32Specs), with the same definition: program units at the driver's width (F4 x32 at 3.3 V,
// G0/L4 double words) + the cheaper of all-units and mass erase (per bank) + the image over SWD at the connect clock.
static TimeSpan? ModelFloor(DevicePart part, int bytes, int kHz)
{
    if (!Stm32Specs.FamilyKeys.Contains(part.Family.Key))
    {
        return null;
    }

    var times = Stm32Specs.FromCatalog(part).Timings;
    var unit = part.Family.Key == "f4" ? 4 : part.Family.ProgrammingUnit.Bytes;
    var program = times.Program.Time * (bytes / unit);
    var units = part.Layout.Units.Aggregate(TimeSpan.Zero, (sum, u) => sum + times.EraseTime(u.Size));
    var mass = times.MassErase.Time * part.Layout.BankCount;
    var transfer = TimeSpan.FromSeconds((bytes / 4.0) * FloorCalculator.SwdClocksPerWord / (kHz * 1000.0));
    return program + (units < mass ? units : mass) + transfer;
}

static string Seconds(TimeSpan? time) => time is { } t ? t.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture) + " s" : "unknown (no catalog typical time)";

static string Ratio(TimeSpan time, TimeSpan? floor) => floor is { } f && f > TimeSpan.Zero ? (time / f).ToString("F2", CultureInfo.InvariantCulture) + "×" : "—";

using System.Diagnostics;
using System.Globalization;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Images;
using ProdFlash.Core.Probes;
using ProdFlash.Core.Recipes;
using ProdFlash.Emulator;
using ProdFlash.Emulator.Selection;
using ProdFlash.Programming.Engine;

// Benchmark "Programming vs the physical floor"; prints the docs/benchmarks.md section.
//   dotnet run -c Release --project bench/ProdFlash.Bench.Programming
// Every attempt runs through the engine on the emulator's modeled time (ST-LINK/V2 J37, SWD 4 MHz): the image fills
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
var provider = new EmulatorProbeProvider();
foreach (var (chip, label) in targets)
{
    if (!EmulatedChips.Names.Contains(chip))
    {
        rows.Add($"| {label} | — | no emulator model of {chip} on this build | | | | | | |");
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
    foreach (var (strategy, factory) in new[] { ("fast", AttemptOptions.Fast), ("naive", AttemptOptions.Naive) })
    {
        var selector = ProbeSelector.Parse($"emulator://{chip}?probe=v2j37");
        var probe = await provider.OpenAsync(selector, CancellationToken.None);
        await using (probe)
        {
            var wall = Stopwatch.StartNew();
            var result = await new AttemptEngine(new AttemptOptions { FlashDrivers = factory }).RunAsync(probe, recipe, image, null, null, CancellationToken.None);
            wall.Stop();
            var floor = result.Floor?.Total;
            var program = result.ProgramPhaseModeled;
            var transactions = result.Phases.Sum(p => p.Transactions);
            rows.Add(string.Create(inv,
                $"| {label} | {strategy} | {result.Outcome}{(result.FailureCode is { } c ? " " + c : string.Empty)} | {Seconds(floor)} | {program.TotalSeconds:F3} s | {Ratio(program, floor)} | {result.Modeled.TotalSeconds:F3} s | {Ratio(result.Modeled, floor)} | {transactions} | {wall.Elapsed.TotalSeconds:F1} s |"));
        }
    }
}

Console.WriteLine("## Programming vs the physical floor");
Console.WriteLine();
Console.WriteLine("Command: `dotnet run -c Release --project bench/ProdFlash.Bench.Programming`  ");
Console.WriteLine(string.Create(inv, $"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; 1-minute load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}  "));
Console.WriteLine(string.Create(inv, $"Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));
Console.WriteLine();
Console.WriteLine("Whole attempts through `AttemptEngine` on the emulator's modeled time (ST-LINK/V2 J37, SWD 4000 kHz), image = the");
Console.WriteLine("part's whole flash of random bytes, catalog default recipe (auto erase, readback verify). Floor (DESIGN §7) = catalog");
Console.WriteLine("typical program time per programming unit + the cheaper erase + the image over SWD once (46 clocks per word).");
Console.WriteLine("\"program\" = erase + program phases. Targets: program ≤ 1.10 × floor, attempt ≤ 1.25 × floor. Wall = host time to emulate.");
Console.WriteLine();
Console.WriteLine("| part, image | strategy | result | floor | program | program / floor | attempt | attempt / floor | USB transactions | wall |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
rows.ForEach(Console.WriteLine);
return 0;

static string Seconds(TimeSpan? time) => time is { } t ? t.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture) + " s" : "unknown (no catalog typical time)";

static string Ratio(TimeSpan time, TimeSpan? floor) => floor is { } f && f > TimeSpan.Zero ? (time / f).ToString("F2", CultureInfo.InvariantCulture) + "×" : "—";

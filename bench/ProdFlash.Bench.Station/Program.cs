// Benchmark "Station overhead": the station host with 32 emulated slots (virtual time: no modeled waiting, so every
// second measured is the host's own work: runners, engine, recording, status), runs back to back on 4 fixtures of 8.
//   dotnet run -c Release --project bench/ProdFlash.Bench.Station [-- --runs 25 --write-docs docs/benchmarks.md]
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ProdFlash.Station;
using ProdFlash.Station.Runtime;

const int Fixtures = 4;
const int SlotsPerFixture = 8;
var runs = args.SkipWhile(a => a != "--runs").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(25);
var docs = args.SkipWhile(a => a != "--write-docs").Skip(1).FirstOrDefault();
var root = FindRoot();
var data = Directory.CreateTempSubdirectory("prodflash-bench-station-").FullName;
try
{
    var settings = new Dictionary<string, string?>
    {
        ["Urls"] = "http://127.0.0.1:0",
        ["Data:DataDirectory"] = data,
        ["Station:Name"] = "BENCH-ST01",
        ["Station:RecipesFolder"] = Path.Combine(root, "firmware-images", "samples"),
        ["Station:ImageLibraryFolder"] = Path.Combine(data, "library"),
    };
    string[] personalities = ["v2j37", "v21j40", "v3j9"];
    for (var f = 0; f < Fixtures; f++)
    {
        settings[$"Station:Fixtures:{f}:Name"] = $"F{f + 1}";
        settings[$"Station:Fixtures:{f}:Recipe"] = "blue-pill-f103c8/recipe.json";
        settings[$"Station:Fixtures:{f}:Image"] = Path.Combine(root, "firmware-images", "samples", "blue-pill-f103c8", "blue-pill-f103c8.hex");
        for (var s = 0; s < SlotsPerFixture; s++)
        {
            var i = (f * SlotsPerFixture) + s;
            var variant = i / personalities.Length;
            settings[$"Station:Fixtures:{f}:Slots:{s}:Probe"] = variant == 0
                ? $"emulator://stm32f103c8?probe={personalities[i % 3]}"
                : string.Create(CultureInfo.InvariantCulture, $"emulator://stm32f103c8?probe={personalities[i % 3]}&faults=flaky-wait:0.00{variant:00}");
        }
    }

    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = root });
    builder.Configuration.Sources.Clear();
    builder.Configuration.AddInMemoryCollection(settings);
    builder.Logging.ClearProviders();
    builder.AddStationServices();
    await using var app = builder.Build();
    await app.StartAsync();
    var fixtures = app.Services.GetRequiredService<StationRuntime>().Fixtures.Values.ToList();

    // Warm-up: one run per fixture.
    await Task.WhenAll(fixtures.Select(async f => await (await f.StartAsync("bench", null, default)).Completion));
    GC.Collect();
    var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    var results = await Task.WhenAll(fixtures.Select(async f =>
    {
        var n = 0;
        var passed = 0;
        for (var r = 0; r < runs; r++)
        {
            var done = await (await f.StartAsync("bench", null, default)).Completion;
            n += done.Count;
            passed += done.Count(d => d.State == ProdFlash.Data.Entities.AttemptState.Passed);
        }

        return (n, passed);
    }));
    clock.Stop();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
    var attempts = results.Sum(r => r.n);
    var passedAll = results.Sum(r => r.passed);
    var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
    Process.GetCurrentProcess().Refresh();
    var peak = Process.GetCurrentProcess().PeakWorkingSet64;
    var heap = GC.GetTotalMemory(forceFullCollection: true);
    await app.StopAsync();

    var inv = CultureInfo.InvariantCulture;
    var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
    var section = string.Join('\n',
        "## Station overhead",
        "",
        $"Command: `dotnet run -c Release --project bench/ProdFlash.Bench.Station -- --runs {runs} --write-docs docs/benchmarks.md`  ",
        string.Create(inv, $"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; 1-minute load average {load} (shared machine)  "),
        string.Create(inv, $"Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"),
        "",
        string.Create(inv, $"The host (`AddStationServices`, SQLite WAL with synchronous=FULL on the temp directory) with {Fixtures} fixtures × {SlotsPerFixture} = {Fixtures * SlotsPerFixture} emulated STM32F103C8 slots on their modeled clocks (no modeled waiting, so all time is the host's: runners, engine, emulator, recording, status store); the 292-byte sample image; {runs} runs per fixture back to back after one warm-up run."),
        "",
        "| figure | value |",
        "|---|---|",
        string.Create(inv, $"| attempts | {attempts} ({passedAll} passed) |"),
        string.Create(inv, $"| wall time | {clock.Elapsed.TotalSeconds:0.00} s |"),
        string.Create(inv, $"| attempts per second | {attempts / clock.Elapsed.TotalSeconds:0.0} |"),
        string.Create(inv, $"| CPU per attempt | {cpu.TotalMilliseconds / attempts:0.0} ms |"),
        string.Create(inv, $"| allocated per attempt | {allocated / attempts / 1024.0:0} KiB |"),
        string.Create(inv, $"| managed heap after the runs | {heap / 1048576.0:0.0} MiB |"),
        string.Create(inv, $"| peak working set | {peak / 1048576.0:0.0} MiB |"),
        "");
    Console.WriteLine(section);
    if (docs is not null)
    {
        var text = File.ReadAllText(docs);
        var start = text.IndexOf("## Station overhead", StringComparison.Ordinal);
        if (start >= 0)
        {
            var next = text.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
            text = text[..start] + section + (next >= 0 ? text[(next + 1)..] : string.Empty);
        }
        else
        {
            text = text.TrimEnd() + "\n\n" + section;
        }

        File.WriteAllText(docs, text);
    }

    return 0;
}
finally
{
    Directory.Delete(data, recursive: true);
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "ProdFlash.sln")))
        {
            return dir.FullName;
        }
    }

    throw new DirectoryNotFoundException("ProdFlash.sln not found above " + AppContext.BaseDirectory);
}

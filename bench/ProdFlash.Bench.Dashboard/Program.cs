// Benchmark "Dashboard live updates": the station host in this process (its real dashboard, one fixture of 32 slots),
// Debian's Chromium driven by Playwright showing /fixtures/F1. A driver updates all 32 slots' progress continuously
// (what running attempts do) and, every ~150 ms, writes a marker into one slot's phase; the page records, with a
// MutationObserver, when each marker's text reaches its DOM. Then it opens more pages and measures the server's
// memory per open circuit.
//   dotnet run -c Release --project bench/ProdFlash.Bench.Dashboard [-- --markers 300 --circuits 20 --write-docs docs/benchmarks.md]
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using ProdFlash.Data.Entities;
using ProdFlash.Station;
using ProdFlash.Station.Api;
using ProdFlash.Station.Dashboard;
using ProdFlash.Station.Security;

const int Slots = 32;
const int UpdatesPerSlotPerSecond = 40;
var inv = CultureInfo.InvariantCulture;
var markers = args.SkipWhile(a => a != "--markers").Skip(1).Select(a => int.Parse(a, inv)).FirstOrDefault(300);
var circuits = args.SkipWhile(a => a != "--circuits").Skip(1).Select(a => int.Parse(a, inv)).FirstOrDefault(20);
var docs = args.SkipWhile(a => a != "--write-docs").Skip(1).FirstOrDefault();
var chromium = "/usr/bin/chromium";
if (!File.Exists(chromium))
{
    Console.Error.WriteLine("Chromium is missing: apt-get install chromium");
    return 2;
}

var root = FindRoot();
var data = Directory.CreateTempSubdirectory("prodflash-bench-dashboard-").FullName;
try
{
    var settings = new Dictionary<string, string?>
    {
        ["Urls"] = "http://127.0.0.1:0",
        ["Data:DataDirectory"] = data,
        ["Station:Name"] = "BENCH-ST01",
        ["Station:RecipesFolder"] = Path.Combine(root, "firmware-images", "samples"),
        ["Station:ImageLibraryFolder"] = Path.Combine(data, "library"),
        ["Station:Fixtures:0:Name"] = "F1",
        ["Station:Fixtures:0:Recipe"] = "blue-pill-f103c8/recipe.json",
        ["Station:Fixtures:0:Image"] = Path.Combine(root, "firmware-images", "samples", "blue-pill-f103c8", "blue-pill-f103c8.hex"),
    };
    string[] personalities = ["v2j37", "v21j40", "v3j9"];
    for (var i = 0; i < Slots; i++)
    {
        var variant = i / personalities.Length;
        settings[$"Station:Fixtures:0:Slots:{i}:Probe"] = variant == 0
            ? $"emulator://stm32f103c8?probe={personalities[i % 3]}"
            : string.Create(inv, $"emulator://stm32f103c8?probe={personalities[i % 3]}&faults=flaky-wait:0.00{variant:00}");
    }

    // The host as Program.cs builds it; the application name is the station's so its static web assets manifest
    // (copied next to this program by the project reference) serves MudBlazor's and the dashboard's files.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = root, ApplicationName = "ProdFlash.Station" });
    builder.Configuration.Sources.Clear();
    builder.Configuration.AddInMemoryCollection(settings);
    builder.Logging.ClearProviders();
    builder.AddStationServices();
    builder.AddStationDashboard();
    await using var app = builder.Build();
    app.MapStationApi();
    app.MapStationDashboard();
    await app.StartAsync();
    var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    var store = app.Services.GetRequiredService<StatusStore>();
    var key = (await app.Services.GetRequiredService<ApiKeyService>().IssueAsync("bench-operator", UserRole.Operator, "bench", "bench")).Key;

    using var playwright = await Playwright.CreateAsync();
    await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = chromium,
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    });

    // Every page signs in with an Operator API key (the station accepts X-Api-Key on every request, the circuit's too).
    async Task<IPage> OpenFixtureAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync("fixtures/F1");
        await page.Locator("[data-testid=fixture-view][data-interactive=true]").WaitForAsync(new() { Timeout = 120_000 });
        return page;
    }

    var options = new BrowserNewContextOptions
    {
        BaseURL = address + "/",
        ViewportSize = new ViewportSize { Width = 1920, Height = 1080 },
        ExtraHTTPHeaders = new Dictionary<string, string> { [ApiKeyAuthenticationHandler.HeaderName] = key },
    };
    await using var measured = await browser.NewContextAsync(options);
    var page = await OpenFixtureAsync(measured);
    if (await page.Locator("[data-testid^=slot-tile-]").CountAsync() != Slots)
    {
        throw new InvalidOperationException("The fixture page does not show 32 tiles.");
    }

    await page.EvaluateAsync("""
        () => {
          window.__seen = {};
          window.__batches = [];
          new MutationObserver(() => {
            const now = performance.timeOrigin + performance.now();
            window.__batches.push(now);
            for (const el of document.querySelectorAll('[data-testid=slot-phase]')) {
              const t = el.textContent;
              if (/^[MS][0-9]+$/.test(t) && !(t in window.__seen)) window.__seen[t] = now;
            }
          }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        }
        """);

    // Clock offset between this process (DateTime.UtcNow) and the page (performance.timeOrigin + now), both from the
    // same system clock: the midpoint of a round trip; its half-width bounds the error.
    var offsets = new List<(double Offset, double HalfRtt)>();
    for (var i = 0; i < 20; i++)
    {
        var before = NowMs();
        var browserNow = await page.EvaluateAsync<double>("() => performance.timeOrigin + performance.now()");
        var after = NowMs();
        offsets.Add((browserNow - ((before + after) / 2), (after - before) / 2));
    }

    var bestOffset = offsets.MinBy(o => o.HalfRtt);

    // Start every slot "running".
    for (var s = 1; s <= Slots; s++)
    {
        store.UpdateSlot("F1", s, x => x with { State = SlotState.Running, Phase = "Program", Progress = 0 });
    }

    var random = new Random(6);

    // Writes `count` markers ("{prefix}{n}") into the slots' phases, one every gapMin..gapMax ms, and returns the
    // latencies of those the page saw, in ascending order, and how many it never saw.
    async Task<(double[] Latencies, int Lost)> MarkAsync(string prefix, int count, int gapMin, int gapMax)
    {
        var sent = new Dictionary<string, double>();
        for (var m = 0; m < count; m++)
        {
            await Task.Delay(gapMin + random.Next(gapMax - gapMin));
            var text = string.Create(inv, $"{prefix}{m}");
            var slot = (m % Slots) + 1;
            sent[text] = NowMs();
            store.UpdateSlot("F1", slot, x => x with { Phase = text });
        }

        await Task.Delay(1000);
        var seen = await page.EvaluateAsync<Dictionary<string, double>>("() => window.__seen");
        var found = sent.Where(p => seen.ContainsKey(p.Key)).Select(p => seen[p.Key] - bestOffset.Offset - p.Value).Order().ToArray();
        return (found, sent.Count - found.Length);
    }

    // Sparse: markers only, further apart than the render interval, so each renders at once (the pipeline alone).
    var sparse = await MarkAsync("S", Math.Max(20, markers / 3), 150, 250);

    // Loaded: all 32 slots' progress changes continuously and markers come every 100-200 ms.
    await page.EvaluateAsync("() => { window.__batches = []; }");
    using var stop = new CancellationTokenSource();
    var updates = 0L;
    var load = Task.Run(async () =>
    {
        var tick = TimeSpan.FromSeconds(1.0 / UpdatesPerSlotPerSecond);
        var step = 0;
        using var timer = new PeriodicTimer(tick);
        while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
        {
            step++;
            for (var s = 1; s <= Slots; s++)
            {
                var progress = ((step + (s * 7)) % 100) / 100.0;
                store.UpdateSlot("F1", s, x => x with { Progress = progress });
                Interlocked.Increment(ref updates);
            }
        }
    });
    var loadClock = Stopwatch.StartNew();
    var (latencies, lost) = await MarkAsync("M", markers, 100, 200);
    var loadSeconds = loadClock.Elapsed.TotalSeconds;
    var batches = await page.EvaluateAsync<double[]>("() => window.__batches");
    await stop.CancelAsync();
    try
    {
        await load;
    }
    catch (OperationCanceledException)
    {
    }

    var perSecond = batches.GroupBy(b => Math.Floor(b / 1000)).Select(g => g.Count()).ToArray();
    await Screenshots(page, root);

    // Memory per open circuit: the managed heap after full collections and the working set, with the measured page
    // open, then with `circuits` more fixture pages open (each its own circuit), all showing the 32 slots.
    var (heapBefore, wsBefore) = Memory();
    await using var more = await browser.NewContextAsync(options);
    var pages = new List<IPage>();
    for (var i = 0; i < circuits; i++)
    {
        pages.Add(await OpenFixtureAsync(more));
    }

    await Task.Delay(2000);
    var (heapAfter, wsAfter) = Memory();
    foreach (var p in pages)
    {
        await p.CloseAsync();
    }

    await more.CloseAsync();
    await measured.CloseAsync();
    await Task.Delay(2000);
    var subscribersLeft = store.SubscriberCount;
    await app.StopAsync();

    static double P(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    var loadAverage = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
    var section = string.Join('\n',
        "## Dashboard live updates",
        "",
        string.Create(inv, $"Command: `dotnet run -c Release --project bench/ProdFlash.Bench.Dashboard -- --markers {markers} --circuits {circuits} --write-docs docs/benchmarks.md`  "),
        string.Create(inv, $"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, Debian Chromium headless via Playwright; 1-minute load average {loadAverage} (shared machine)  "),
        string.Create(inv, $"Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"),
        "",
        string.Create(inv, $"The station host in the benchmark's process (its real dashboard, Blazor Server over WebSocket on loopback) with one fixture of {Slots} slots, shown at 1920×1080 on `/fixtures/F1`, all slots Running. A MutationObserver in the page timestamps when a marker text written into a slot's phase is in the DOM. Sparse: markers alone, 150–250 ms apart (each renders at once: the pipeline alone). Loaded: a driver updates the progress of all {Slots} slots {UpdatesPerSlotPerSecond} times a second each ({updates / loadSeconds:0} store updates/s) and every 100–200 ms writes a marker into one slot's phase. Clocks: both from the same system clock, offset taken from the tightest of 20 round trips (±{bestOffset.HalfRtt:0.00} ms)."),
        "",
        "| figure | value |",
        "|---|---|",
        string.Create(inv, $"| **32 slots updating**: markers seen / sent | {latencies.Length} / {latencies.Length + lost} |"),
        string.Create(inv, $"| **32 slots updating**: store change → DOM, p50 | {P(latencies, 0.50):0.0} ms |"),
        string.Create(inv, $"| **32 slots updating**: store change → DOM, p95 | {P(latencies, 0.95):0.0} ms |"),
        string.Create(inv, $"| **32 slots updating**: store change → DOM, max | {P(latencies, 1):0.0} ms |"),
        string.Create(inv, $"| sparse changes (pipeline alone): markers seen / sent | {sparse.Latencies.Length} / {sparse.Latencies.Length + sparse.Lost} |"),
        string.Create(inv, $"| sparse changes: store change → DOM, p50 / p95 | {P(sparse.Latencies, 0.50):0.0} / {P(sparse.Latencies, 0.95):0.0} ms |"),
        string.Create(inv, $"| DOM update batches per second in the page (median, max) | {Median(perSecond):0} / {(perSecond.Length > 0 ? perSecond.Max() : 0)} |"),
        string.Create(inv, $"| server managed heap per open circuit (after full GC, {circuits} more fixture pages) | {(heapAfter - heapBefore) / (double)circuits / 1048576.0:0.00} MiB |"),
        string.Create(inv, $"| server working set per open circuit | {(wsAfter - wsBefore) / (double)circuits / 1048576.0:0.00} MiB |"),
        string.Create(inv, $"| store subscribers left after every page closed | {subscribersLeft} |"),
        "");
    Console.WriteLine(section);
    if (lost > 0)
    {
        Console.WriteLine(string.Create(inv, $"{lost} markers never reached the DOM (overwritten by the next marker on the same slot inside one render interval, or lost)."));
    }

    if (docs is not null)
    {
        var text = File.ReadAllText(docs);
        var start = text.IndexOf("## Dashboard live updates", StringComparison.Ordinal);
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

static double NowMs() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;

static double Median(int[] values) => values.Length == 0 ? 0 : values.Order().ElementAt(values.Length / 2);

static (long Heap, long WorkingSet) Memory()
{
    for (var i = 0; i < 3; i++)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }

    using var self = Process.GetCurrentProcess();
    return (GC.GetTotalMemory(forceFullCollection: true), self.WorkingSet64);
}

static async Task Screenshots(IPage page, string root)
{
    var folder = Path.Combine(root, "artifacts", "screenshots");
    Directory.CreateDirectory(folder);
    await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "bench-dashboard-32-slots.png") });
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

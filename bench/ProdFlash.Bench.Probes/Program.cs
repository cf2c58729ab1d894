using System.Diagnostics;
using System.Globalization;
using System.Text;

using ProdFlash.Core.Probes;
using ProdFlash.Core.Targets;
using ProdFlash.Emulator.Selection;
using ProdFlash.Probes.StLink;

// Benchmark "ST-LINK host stack throughput": 8 MiB written to and read from the F103C8's SRAM through
// StLinkTarget → StLinkProbe → EmulatedStLinkWire → emulated firmware, SW-DP/AHB-AP and chip, on virtual time (nothing
// sleeps; the modeled USB/SWD cost is only accounted). What is measured is the host stack, not a probe.
//   dotnet run -c Release --project bench/ProdFlash.Bench.Probes [-- --write-docs docs/benchmarks.md]
var docsPath = args is ["--write-docs", var path] ? path : null;
return await Bench.RunAsync(docsPath);

/// <summary>The benchmark proper.</summary>
internal static class Bench
{
    private const int TotalBytes = 8 * 1024 * 1024;
    private const int BlockBytes = 16 * 1024; // fits the F103C8's 20 KiB SRAM (DS5319 Table 2)
    private const uint SramBase = 0x2000_0000;
    private const int Repeats = 5;
    private const string Section = "## ST-LINK host stack throughput";

    public static async Task<int> RunAsync(string? docsPath)
    {
        var rows = new List<string>();
        var ok = true;
        foreach (var (personality, label) in new[] { ("v2j37", "V2J37 (V2, USB full speed)"), ("v3j9", "V3J9 (V3, USB high speed)") })
        {
            var result = await MeasureAsync(personality);
            ok &= result.Verified;
            rows.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"| {label} | {result.WriteMBps:F0} MB/s | {result.ReadMBps:F0} MB/s | {result.BestWriteMBps:F0} / {result.BestReadMBps:F0} MB/s | {result.CpuWriteMBps:F0} / {result.CpuReadMBps:F0} MB/s | {result.CommandBytes} | {result.TransactionsPer8MiB} | {result.AllocatedPerTransaction:F0} B | {(result.Verified ? "yes" : "NO")} |"));
            Console.WriteLine(rows[^1]);
        }

        var section = Render(rows);
        Console.WriteLine();
        Console.WriteLine(section);
        if (docsPath is not null)
        {
            WriteSection(docsPath, section);
        }

        return ok ? 0 : 1;
    }

    private static async Task<Result> MeasureAsync(string personality)
    {
        var provider = new EmulatorProbeProvider();
        var selector = ProbeSelector.Parse($"emulator://stm32f103c8?probe={personality}");
        await using var target = (StLinkTarget)await provider.OpenAsync(selector, CancellationToken.None);
        await target.ConnectAsync(CancellationToken.None);
        var block = new byte[BlockBytes];
        new Random(6144).NextBytes(block);
        var back = new byte[BlockBytes];

        // Warm-up: JIT and tiering of the whole path.
        for (var i = 0; i < 64; i++)
        {
            await target.Memory.WriteAsync(SramBase, block, AccessWidth.Word, CancellationToken.None);
            await target.Memory.ReadAsync(SramBase, back, AccessWidth.Word, CancellationToken.None);
        }

        var commandBytes = target.Probe.PlanTransfer(SramBase, BlockBytes, AccessWidth.Word).Max(c => c.Length);
        var writes = new List<double>();
        var reads = new List<double>();
        var writesCpu = new List<double>();
        var readsCpu = new List<double>();
        using var process = Process.GetCurrentProcess();
        var transactions = 0L;
        var allocated = 0L;
        for (var run = 0; run < Repeats; run++)
        {
            var before = target.Probe.Counters.Transactions;
            var bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = CpuSeconds(process);
            var watch = Stopwatch.StartNew();
            for (var moved = 0; moved < TotalBytes; moved += BlockBytes)
            {
                await target.Memory.WriteAsync(SramBase, block, AccessWidth.Word, CancellationToken.None);
            }

            writes.Add(watch.Elapsed.TotalSeconds);
            writesCpu.Add(CpuSeconds(process) - cpu);
            cpu = CpuSeconds(process);
            watch.Restart();
            for (var moved = 0; moved < TotalBytes; moved += BlockBytes)
            {
                await target.Memory.ReadAsync(SramBase, back, AccessWidth.Word, CancellationToken.None);
            }

            reads.Add(watch.Elapsed.TotalSeconds);
            readsCpu.Add(CpuSeconds(process) - cpu);
            allocated = GC.GetTotalAllocatedBytes(precise: true) - bytesBefore;
            transactions = target.Probe.Counters.Transactions - before;
        }

        var verified = back.AsSpan().SequenceEqual(block);
        return new Result(
            TotalBytes / Median(writes) / 1e6,
            TotalBytes / Median(reads) / 1e6,
            TotalBytes / writes.Min() / 1e6,
            TotalBytes / reads.Min() / 1e6,
            TotalBytes / Median(writesCpu) / 1e6,
            TotalBytes / Median(readsCpu) / 1e6,
            commandBytes,
            transactions / 2,
            (double)allocated / transactions,
            verified);
    }

    private static double CpuSeconds(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Render(List<string> rows)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(Section);
        text.AppendLine();
        text.AppendLine("Command: `dotnet run -c Release --project bench/ProdFlash.Bench.Probes -- --write-docs docs/benchmarks.md`  ");
        text.AppendLine(c, $"Machine: {Environment.ProcessorCount} cores (`nproc`), {CpuModel()}, .NET {Environment.Version}; 1-minute load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} (the machine is shared, so times vary between runs)  ");
        text.AppendLine(c, $"Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine();
        text.AppendLine(c, $"What moves: 8 MiB written to, then 8 MiB read from, the emulated STM32F103C8's SRAM in {BlockBytes / 1024} KiB blocks with 32-bit access, through `StLinkTarget` → `StLinkProbe` → `EmulatedStLinkWire` → emulated firmware, SW-DP/AHB-AP and chip, opened with `EmulatorProbeProvider` on virtual time (nothing sleeps; modeled USB and SWD time is only accounted). Each memory command is followed by GETLASTRWSTATUS2, as on hardware. MB = 10^6 bytes; medians and best of {Repeats} runs after a warm-up, by the wall clock; \"per CPU second\" divides by the process's CPU time instead (median), which other programs' load on the shared machine disturbs far less (the stack runs on one thread: every await completes synchronously on virtual time).");
        text.AppendLine();
        text.AppendLine("| personality | write (median) | read (median) | best run write / read | per CPU second write / read | largest memory command (bytes) | USB transactions per 8 MiB | allocated per transaction | data verified |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        rows.ForEach(r => text.AppendLine(r));
        return text.ToString();
    }

    private static string CpuModel()
    {
        var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? "unknown CPU" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    private static void WriteSection(string path, string section)
    {
        var docs = File.ReadAllText(path);
        var start = docs.IndexOf(Section, StringComparison.Ordinal);
        if (start < 0)
        {
            docs = docs.TrimEnd() + Environment.NewLine + Environment.NewLine + section;
        }
        else
        {
            var next = docs.IndexOf("\n## ", start + Section.Length, StringComparison.Ordinal);
            var tail = next < 0 ? string.Empty : docs[(next + 1)..];
            var notes = docs[start..(next < 0 ? docs.Length : next)];
            var notesAt = notes.IndexOf("\nNotes.", StringComparison.Ordinal);
            var kept = notesAt < 0 ? string.Empty : Environment.NewLine + notes[(notesAt + 1)..].TrimEnd() + Environment.NewLine;
            docs = docs[..start] + section + kept + (tail.Length == 0 ? string.Empty : Environment.NewLine + tail);
        }

        File.WriteAllText(path, docs);
    }

    private sealed record Result(double WriteMBps, double ReadMBps, double BestWriteMBps, double BestReadMBps, double CpuWriteMBps, double CpuReadMBps, int CommandBytes, long TransactionsPer8MiB, double AllocatedPerTransaction, bool Verified);
}

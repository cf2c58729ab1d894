using System.Diagnostics;
using System.Globalization;
using System.Text;

using Microsoft.Data.Sqlite;

using ProdFlash.Core.Diagnostics;
using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Data.Reports;

/// <summary>Generates a year of production (default 1,000,000 attempts) and times the report queries.</summary>
internal static class ReportBench
{
    private const int Stations = 20;
    private const int SlotsPerStation = 3;
    private const int Recipes = 12;
    private const int Runs = 20;
    private const int PageSize = 50;

    private static SqliteTransaction? s_transaction;

    private static readonly DateTimeOffset s_end = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset s_start = s_end.AddDays(-365);

    // A failure mix shaped like a line's: a few causes make most failures (Pareto).
    private static readonly (FailureCode Code, AttemptPhase Phase, int Weight)[] s_failures =
    [
        (FailureCode.TargetNotPowered, AttemptPhase.Power, 30),
        (FailureCode.NoSwdResponse, AttemptPhase.Connect, 22),
        (FailureCode.VerifyMismatch, AttemptPhase.Verify, 14),
        (FailureCode.SwdUnstable, AttemptPhase.Connect, 10),
        (FailureCode.ReadoutProtected, AttemptPhase.OptionBytes, 7),
        (FailureCode.CounterfeitDevice, AttemptPhase.Identify, 5),
        (FailureCode.ProgramFailed, AttemptPhase.Program, 4),
        (FailureCode.Timeout, AttemptPhase.Erase, 3),
        (FailureCode.WrongDevice, AttemptPhase.Identify, 2),
        (FailureCode.ProbeDisconnected, AttemptPhase.Program, 2),
        (FailureCode.Aborted, AttemptPhase.Program, 1),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var attempts = 1_000_000;
        string? docs = null;
        string? path = null;
        for (var i = 0; i < args.Length - 1; i += 2)
        {
            switch (args[i])
            {
                case "--attempts": attempts = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--db": path = args[i + 1]; break;
                case "--write-docs": docs = args[i + 1]; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }

        var directory = path is null ? Path.Combine(Path.GetTempPath(), "prodflash-bench-data") : Path.GetDirectoryName(Path.GetFullPath(path))!;
        var file = path is null ? "bench.db" : Path.GetFileName(path);
        Directory.CreateDirectory(directory);
        foreach (var stale in Directory.GetFiles(directory, file + "*"))
        {
            File.Delete(stale);
        }

        var database = new StationDatabase(new StationDatabaseOptions { DataDirectory = directory, FileName = file });
        await database.MigrateAsync();
        var generation = Stopwatch.StartNew();
        var data = Generate(database.ConnectionString, attempts);
        await database.OptimizeAsync();
        generation.Stop();
        SqliteConnection.ClearAllPools();
        var size = new FileInfo(database.FilePath).Length;
        var walSize = File.Exists(database.FilePath + "-wal") ? new FileInfo(database.FilePath + "-wal").Length : 0;
        Console.WriteLine($"generated {attempts:N0} attempts in {generation.Elapsed.TotalSeconds:F1} s; file {size / 1048576.0:F1} MiB ({(double)size / attempts:F0} B/attempt), wal {walSize / 1048576.0:F1} MiB");

        var reports = new ProductionReports(database);
        var month = new AttemptFilter { From = s_end.AddDays(-30), To = s_end };
        var random = new Random(7);

        // Cursors 25,000 rows deep, found before timing: a client paging with keysets holds the last row of its page.
        var cursors = new Dictionary<int, AttemptCursor?>();
        for (var recipe = 1; recipe <= Recipes; recipe++)
        {
            var deep = await reports.PageAsync(new AttemptFilter { RecipeId = recipe, State = AttemptState.Passed }, 25_000, 1);
            cursors[recipe] = deep.Items.Count == 0 ? null : new AttemptCursor(deep.Items[0].StartedAt, deep.Items[0].Id);
        }

        var results = new List<(string Name, double P50, double P95, string Answer)>
        {
            await TimeAsync("yield + FPY by station, last 30 days", async () => $"{(await reports.YieldAsync(month, YieldDimension.Station)).Count} rows"),
            await TimeAsync("yield + FPY by day, last 30 days", async () => $"{(await reports.YieldAsync(month, YieldDimension.Total, TimeBucket.Day)).Count} rows"),
            await TimeAsync("yield + FPY by recipe, last 30 days", async () => $"{(await reports.YieldAsync(month, YieldDimension.Recipe)).Count} rows"),
            await TimeAsync("yield + FPY by station × day, last 30 days", async () => $"{(await reports.YieldAsync(month, YieldDimension.Station, TimeBucket.Day)).Count} rows"),
            await TimeAsync("yield + FPY by station × shift, last 7 days", async () => $"{(await reports.YieldAsync(new AttemptFilter { From = s_end.AddDays(-7), To = s_end }, YieldDimension.Station, TimeBucket.Shift)).Count} rows"),
            await TimeAsync("failure Pareto, last 30 days", async () => $"{(await reports.FailureParetoAsync(month)).Count} codes"),
            await TimeAsync("unit lookup by serial", async () => $"{(await reports.FindUnitBySerialAsync(data.Serials[random.Next(data.Serials.Count)])).Attempts.Count} attempts"),
            await TimeAsync("unit lookup by MCU UID", async () => $"{(await reports.FindUnitByUidAsync(data.Uids[random.Next(data.Uids.Count)])).Attempts.Count} attempts"),
            await TimeAsync("attempts page 1 (station, Failed, last 30 days)", async () =>
                $"{(await reports.PageAsync(month with { StationId = random.Next(1, Stations + 1), State = AttemptState.Failed }, 1, PageSize)).Items.Count} rows"),
            await TimeAsync("attempts page 500 (station, whole year)", async () =>
                $"{(await reports.PageAsync(new AttemptFilter { StationId = random.Next(1, Stations + 1) }, 500, PageSize)).Items.Count} rows"),
            await TimeAsync("attempts page 500 (recipe, Passed)", async () =>
                $"{(await reports.PageAsync(new AttemptFilter { RecipeId = random.Next(1, Recipes + 1), State = AttemptState.Passed }, 500, PageSize)).Items.Count} rows"),
            await TimeAsync("attempts keyset page after row 25,000 (recipe, Passed)", async () =>
            {
                var recipe = random.Next(1, Recipes + 1);
                var page = await reports.PageAfterAsync(new AttemptFilter { RecipeId = recipe, State = AttemptState.Passed }, cursors[recipe], PageSize);
                return $"{page.Items.Count} rows";
            }),
            await TimeAsync("(not a target) yield + FPY by station, whole year", async () => $"{(await reports.YieldAsync(new AttemptFilter(), YieldDimension.Station)).Count} rows"),
        };

        foreach (var r in results)
        {
            Console.WriteLine($"{r.Name,-52} p50 {r.P50,7:F1} ms  p95 {r.P95,7:F1} ms  ({r.Answer})");
        }

        if (docs is not null)
        {
            WriteDocs(docs, attempts, size, walSize, generation.Elapsed, results);
        }

        SqliteConnection.ClearAllPools();
        return 0;
    }

    private static async Task<(string Name, double P50, double P95, string Answer)> TimeAsync(string name, Func<Task<string>> query)
    {
        var answer = await query(); // warm-up: JIT and EF query compilation
        var times = new double[Runs];
        for (var i = 0; i < Runs; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            answer = await query();
            times[i] = stopwatch.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return (name, Percentile(times, 0.50), Percentile(times, 0.95), answer);
    }

    private static double Percentile(double[] sorted, double p)
    {
        var rank = p * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }

    private sealed record Generated(List<string> Serials, List<string> Uids);

    private static Generated Generate(string connectionString, int attempts)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        Execute(connection, "PRAGMA synchronous=OFF; PRAGMA cache_size=-262144; PRAGMA foreign_keys=OFF;");
        using (var seed = connection.BeginTransaction())
        {
            s_transaction = seed;
            for (var s = 1; s <= Stations; s++)
            {
                Execute(connection, $"INSERT INTO Stations (Id, Name, Location, CreatedAt) VALUES ({s}, 'ST{s:00}', 'Line {(s + 4) / 5}', {s_start.ToUnixTimeMilliseconds()});");
                Execute(connection, $"INSERT INTO Fixtures (Id, StationId, Name) VALUES ({s}, {s}, 'F1');");
                for (var p = 1; p <= SlotsPerStation; p++)
                {
                    Execute(connection, $"INSERT INTO Slots (Id, FixtureId, Position, ProbeSelector) VALUES ({((s - 1) * SlotsPerStation) + p}, {s}, {p}, 'stlink://usb/066DFF{s:00}{p:00}0000000000000000');");
                }
            }

            for (var r = 1; r <= Recipes; r++)
            {
                Execute(connection, $"INSERT INTO Recipes (Id, Name, Version, State, Json, ImageSha256, CreatedBy, CreatedAt) VALUES ({r}, 'Product{r:00}', '1.{r}.0', 'Released', '{{}}', '{new string((char)('a' + (r % 6)), 64)}', 'eng', {s_start.ToUnixTimeMilliseconds()});");
            }

            seed.Commit();
            s_transaction = null;
        }

        var random = new Random(42);
        var serials = new List<string>();
        var uids = new List<string>();
        var retries = new Queue<(string Uid, long Due)>();
        using var runInsert = Prepare(connection, "INSERT INTO Runs (Id, FixtureId, RecipeId, Operator, LotCode, StartedAt, EndedAt) VALUES ($id, $f, $r, $op, $lot, $s, $e);", "$id", "$f", "$r", "$op", "$lot", "$s", "$e");
        using var attemptInsert = Prepare(connection,
            "INSERT INTO Attempts (Id, RunId, StationId, FixtureId, SlotId, RecipeId, ProbeSerial, McuUid, DevicePart, Genuineness, SerialText, SerialEntryId, Phases, OptionBytesBefore, OptionBytesAfter, State, FailureCode, FailedPhase, ModeledSeconds, FloorSeconds, IsFirstAttempt, StartedAt, StartedHour, EndedAt) " +
            "VALUES ($id, $run, $st, $fx, $sl, $rc, $probe, $uid, $part, $gen, $serial, $entry, $phases, $obb, $oba, $state, $code, $phase, $mod, $floor, $first, $s, $h, $e);",
            "$id", "$run", "$st", "$fx", "$sl", "$rc", "$probe", "$uid", "$part", "$gen", "$serial", "$entry", "$phases", "$obb", "$oba", "$state", "$code", "$phase", "$mod", "$floor", "$first", "$s", "$h", "$e");
        using var ledgerInsert = Prepare(connection, "INSERT INTO SerialLedger (Id, Scheme, Sequence, Text, State, AttemptId, ReservedAt, ClosedAt) VALUES ($id, $scheme, $seq, $text, 'Committed', $a, $s, $e);", "$id", "$scheme", "$seq", "$text", "$a", "$s", "$e");
        var totalWeight = s_failures.Sum(f => f.Weight);
        var spanMs = (s_end - s_start).TotalMilliseconds;
        var sequences = new long[Recipes + 1];
        long run = 0;
        long ledgerId = 0;
        var transaction = connection.BeginTransaction();
        runInsert.Transaction = attemptInsert.Transaction = ledgerInsert.Transaction = transaction;
        for (var id = 1; id <= attempts; id++)
        {
            if (id % 100_000 == 0)
            {
                transaction.Commit();
                transaction.Dispose();
                transaction = connection.BeginTransaction();
                runInsert.Transaction = attemptInsert.Transaction = ledgerInsert.Transaction = transaction;
            }

            var started = s_start.ToUnixTimeMilliseconds() + (long)(spanMs * (id - 1) / attempts);
            var station = ((id - 1) / SlotsPerStation % Stations) + 1;
            var slot = ((station - 1) * SlotsPerStation) + ((id - 1) % SlotsPerStation) + 1;
            var recipe = ((station - 1) % Recipes) + 1;
            if ((id - 1) % SlotsPerStation == 0)
            {
                run++;
                Bind(runInsert, run, station, recipe, $"op{station % 7}", $"LOT-{started / 86_400_000}", started, started + 30_000);
                runInsert.ExecuteNonQuery();
            }

            // A failed unit comes back a few attempts later on the same line (its second attempt).
            string uid;
            bool first;
            if (retries.Count > 0 && retries.Peek().Due <= id)
            {
                uid = retries.Dequeue().Uid;
                first = false;
            }
            else
            {
                uid = $"{random.NextInt64():X16}{id:X8}";
                first = true;
            }

            var passed = random.Next(100) < (first ? 92 : 80);
            (FailureCode Code, AttemptPhase Phase, int Weight) failure = default;
            if (!passed)
            {
                var pick = random.Next(totalWeight);
                foreach (var f in s_failures)
                {
                    if ((pick -= f.Weight) < 0)
                    {
                        failure = f;
                        break;
                    }
                }

                if (first && random.Next(10) < 6)
                {
                    retries.Enqueue((uid, id + 30));
                }
            }

            var identified = passed || failure.Phase > AttemptPhase.Identify;
            string? serial = null;
            long? entry = null;
            if (passed)
            {
                serial = $"P{recipe:00}-{++sequences[recipe]:0000000}";
                entry = ++ledgerId;
                Bind(ledgerInsert, entry, $"Product{recipe:00}", sequences[recipe], serial, id, started + 20_000, started + 25_000);
                ledgerInsert.ExecuteNonQuery();
                if (random.Next(20) == 0)
                {
                    serials.Add(serial);
                }
            }

            if (identified && random.Next(20) == 0)
            {
                uids.Add(uid);
            }

            var state = passed ? "Passed" : failure.Code == FailureCode.Aborted ? "Aborted" : "Failed";
            Bind(attemptInsert,
                id, run, station, station, slot, recipe,
                $"066DFF{station:00}{(slot - 1) % SlotsPerStation + 1:00}0000000000000000",
                identified ? uid : null,
                identified ? "STM32F103C8" : null,
                identified ? "Genuine" : null,
                serial, entry,
                Phases(random, passed ? AttemptPhase.Record : failure.Phase),
                identified ? "OBR=0x03FFFFFC WRPR=0xFFFFFFFF" : null, // F1 registers as the station records them
                passed ? "OBR=0x03FFFFFE WRPR=0xFFFFFFFF" : null,
                state,
                passed ? null : failure.Code.ToString(),
                passed ? null : failure.Phase.ToString(),
                passed ? 2.05 + (random.NextDouble() * 0.1) : random.NextDouble() * 2,
                1.92,
                first ? 1 : 0,
                started,
                (int)(started / StoreTime.MillisecondsPerHour),
                started + 25_000);
            attemptInsert.ExecuteNonQuery();
        }

        transaction.Commit();
        transaction.Dispose();
        Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        return new Generated(serials, uids);
    }

    private static string Phases(Random random, AttemptPhase last)
    {
        var json = new StringBuilder(320);
        json.Append('[');
        for (var phase = AttemptPhase.Probe; phase <= last && phase <= AttemptPhase.Finalize; phase++)
        {
            if (phase != AttemptPhase.Probe)
            {
                json.Append(',');
            }

            json.Append(CultureInfo.InvariantCulture, $"[\"{phase}\",{random.Next(1, 2000) / 1000.0:0.###}");
            switch (phase)
            {
                case AttemptPhase.Probe: json.Append(",{\"fw\":\"V2J45S7\"}"); break;
                case AttemptPhase.Power: json.Append(CultureInfo.InvariantCulture, $",{{\"vtarget\":\"{3.2 + (random.Next(20) / 100.0):0.00}\"}}"); break;
                case AttemptPhase.Connect: json.Append(",{\"khz\":\"4000\",\"mode\":\"UnderReset\"}"); break;
                case AttemptPhase.Identify: json.Append(",{\"idcode\":\"1BA01477\",\"dev\":\"410\",\"rev\":\"2003\"}"); break;
                case AttemptPhase.Program: json.Append(",{\"bytes\":\"65536\"}"); break;
                default: break;
            }

            json.Append(']');
        }

        return json.Append(']').ToString();
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    private static void Bind(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = s_transaction;
        command.ExecuteNonQuery();
    }

    private static void WriteDocs(string path, int attempts, long size, long walSize, TimeSpan generation, List<(string Name, double P50, double P95, string Answer)> results)
    {
        var text = new StringBuilder();
        text.AppendLine("## Report queries");
        text.AppendLine();
        text.AppendLine("Command: `dotnet run -c Release --project bench/ProdFlash.Bench.Data -- --write-docs docs/benchmarks.md`  ");
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores (`nproc`), {Cpu()}, .NET {Environment.Version}, SQLite {SqliteVersion()}; 1-minute load average {Load()} at the end (the machine is shared, so times vary between runs)  ");
        text.AppendLine(CultureInfo.InvariantCulture, $"Date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Data: {attempts:N0} attempts over {Stations} stations ({Stations * SlotsPerStation} slots), {Recipes} recipes and 365 days, about 8% first-attempt failures (60% of those retried), a committed serial-ledger row per pass, runs of {SlotsPerStation} slots. Generated with prepared ADO.NET inserts in 100,000-row transactions in {generation.TotalSeconds:F0} s (then `PRAGMA optimize`).");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Size: {size / 1048576.0:F1} MiB after a WAL checkpoint = **{(double)size / attempts:F0} bytes per attempt** (target ≤ 1024; everything counted: attempts with their indexes, runs, serial ledger); WAL {walSize / 1048576.0:F1} MiB.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Each query through `ProductionReports` (a new DbContext per call, as the API will do), one warm-up, then {Runs} timed runs:");
        text.AppendLine();
        text.AppendLine("| query | p50 ms | p95 ms | result |");
        text.AppendLine("|---|---|---|---|");
        foreach (var r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Name} | {r.P50:F1} | {r.P95:F1} | {r.Answer} |");
        }

        var existing = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n";
        var start = existing.IndexOf("## Report queries", StringComparison.Ordinal);
        if (start >= 0)
        {
            var next = existing.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
            existing = existing[..start] + (next >= 0 ? existing[(next + 1)..] : string.Empty);
        }

        File.WriteAllText(path, existing.TrimEnd() + "\n\n" + text.ToString());
    }

    private static string Cpu()
    {
        var line = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) : null;
        return line is null ? "unknown CPU" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private static string SqliteVersion()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        return connection.ServerVersion;
    }
}

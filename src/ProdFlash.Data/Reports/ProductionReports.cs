using System.Globalization;
using System.Linq.Expressions;

using CsvHelper;

using Microsoft.EntityFrameworkCore;

using ProdFlash.Core.Diagnostics;
using ProdFlash.Data.Entities;

namespace ProdFlash.Data.Reports;

/// <summary>
/// The manager's reports (DESIGN §2): yield and first-pass yield by station / fixture / slot / recipe, per day or shift;
/// failure Pareto; unit traceability by serial or MCU UID; attempt pages with filters; CSV export. Provider-neutral LINQ:
/// time is bucketed by the stored UTC hour and rolled up into local days and shifts here.
/// </summary>
/// <remarks>Thread-safe: each call uses its own context. Reads only.</remarks>
public sealed class ProductionReports
{
    /// <summary>The largest page size served.</summary>
    public const int MaxPageSize = 500;

    // Shift buckets are numbered day * 32 + shift index (a day has at most 24 shifts).
    private const int ShiftsPerDayCode = 32;

    // Day number of 1970-01-01 (DateOnly.DayNumber counts from 0001-01-01); SQL day numbers count from the epoch, shifted
    // by one day (the +24 hours in ConstantOffsetHours keeps every number positive so integer division floors).
    private static readonly int EpochDay = new DateOnly(1970, 1, 1).DayNumber - 1;

    private readonly StationDatabase _database;
    private readonly ReportOptions _options;
    private readonly ShiftDefinition[] _shifts;

    /// <summary>Creates the report service.</summary>
    /// <exception cref="StationDataException">The shift table is empty, has an hour outside 0–23, or repeats an hour.</exception>
    public ProductionReports(StationDatabase database, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _options = options ?? new ReportOptions();
        _shifts = [.. _options.Shifts.OrderBy(s => s.StartHour)];
        if (_shifts.Length == 0 || _shifts.Any(s => s.StartHour is < 0 or > 23 || string.IsNullOrWhiteSpace(s.Name))
            || _shifts.Select(s => s.StartHour).Distinct().Count() != _shifts.Length)
        {
            throw new StationDataException("Reports:Shifts needs at least one shift, each with a name and a distinct whole start hour 0-23.");
        }
    }

    /// <summary>Yield, final and first-pass, grouped by <paramref name="dimension"/> and cut by <paramref name="bucket"/>.</summary>
    /// <param name="filter">Which attempts count (set From and To: a range keeps the query on the report index).</param>
    /// <param name="dimension">The grouping.</param>
    /// <param name="bucket">The time cut.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>Rows ordered by day, shift start, then key name.</returns>
    public async Task<IReadOnlyList<YieldRow>> YieldAsync(AttemptFilter filter, YieldDimension dimension, TimeBucket bucket = TimeBucket.None, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var context = _database.CreateContext();
        var attempts = Apply(context.Attempts, filter).Where(a => a.State != AttemptState.Running);
        Expression<Func<Attempt, int>> key = dimension switch
        {
            YieldDimension.Station => a => a.StationId,
            YieldDimension.Fixture => a => a.FixtureId,
            YieldDimension.Slot => a => a.SlotId,
            YieldDimension.Recipe => a => a.RecipeId,
            _ => a => 0,
        };

        List<RawYield> raw;
        Func<int, (DateOnly? Day, ShiftDefinition? Shift)> timeKey = _ => (null, null);
        if (bucket == TimeBucket.None)
        {
            raw = await attempts.GroupBy(key)
                .Select(g => new RawYield(
                    g.Key,
                    0,
                    g.Count(),
                    g.Count(a => a.State == AttemptState.Passed),
                    g.Count(a => a.State == AttemptState.Failed),
                    g.Count(a => a.IsFirstAttempt),
                    g.Count(a => a.IsFirstAttempt && a.State == AttemptState.Passed)))
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (dimension == YieldDimension.Total)
        {
            // Totals group by the stored hour, which streams out of IX_Attempts_Time in index order (no sort), and are
            // rolled up into days and shifts here.
            raw = await attempts.GroupBy(a => a.StartedHour)
                .Select(g => new RawYield(
                    0,
                    g.Key,
                    g.Count(),
                    g.Count(a => a.State == AttemptState.Passed),
                    g.Count(a => a.State == AttemptState.Failed),
                    g.Count(a => a.IsFirstAttempt),
                    g.Count(a => a.IsFirstAttempt && a.State == AttemptState.Passed)))
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            timeKey = hour => HourKey(hour, bucket);
        }
        else
        {
            // Per-key reports number days and shifts in SQL where the offset allows it (one row per key and bucket).
            var (bucketOf, decode) = Buckets(bucket, filter);
            raw = await attempts.GroupBy(Compose(key, bucketOf, (k, b) => new { K = k, B = b }))
                .Select(g => new RawYield(
                    g.Key.K,
                    g.Key.B,
                    g.Count(),
                    g.Count(a => a.State == AttemptState.Passed),
                    g.Count(a => a.State == AttemptState.Failed),
                    g.Count(a => a.IsFirstAttempt),
                    g.Count(a => a.IsFirstAttempt && a.State == AttemptState.Passed)))
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            timeKey = decode;
        }

        var names = await NamesAsync(context, dimension, cancellationToken).ConfigureAwait(false);
        return [.. raw
            .GroupBy(r => (r.Key, Time: timeKey(r.Bucket)))
            .Select(g => new YieldRow(
                dimension == YieldDimension.Total ? null : g.Key.Key,
                dimension == YieldDimension.Total ? "all" : names.GetValueOrDefault(g.Key.Key, g.Key.Key.ToString(CultureInfo.InvariantCulture)),
                g.Key.Time.Day,
                g.Key.Time.Shift?.Name,
                g.Sum(r => r.Attempts),
                g.Sum(r => r.Passed),
                g.Sum(r => r.Failed),
                g.Sum(r => r.Units),
                g.Sum(r => r.FirstPassPassed)))
            .OrderBy(r => r.Day)
            .ThenBy(r => r.Shift is null ? -1 : Array.FindIndex(_shifts, s => s.Name == r.Shift))
            .ThenBy(r => r.KeyName, StringComparer.Ordinal)];
    }

    /// <summary>Failure codes by how often they ended an attempt, most frequent first (ties by name).</summary>
    public async Task<IReadOnlyList<ParetoRow>> FailureParetoAsync(AttemptFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var context = _database.CreateContext();
        var counts = await Apply(context.Attempts, filter)
            .Where(a => a.FailureCode != null)
            .GroupBy(a => a.FailureCode)
            .Select(g => new { Code = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var total = counts.Sum(c => c.Count);
        var running = 0;
        var rows = new List<ParetoRow>(counts.Count);
        foreach (var c in counts.OrderByDescending(c => c.Count).ThenBy(c => c.Code!.Value.ToString(), StringComparer.Ordinal))
        {
            running += c.Count;
            rows.Add(new ParetoRow(c.Code!.Value, c.Count, (double)c.Count / total, (double)running / total));
        }

        return rows;
    }

    /// <summary>Every attempt of the unit that carries serial <paramref name="serial"/>: the attempts with that serial and every attempt on the same MCU UIDs.</summary>
    public async Task<UnitHistory> FindUnitBySerialAsync(string serial, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serial);
        await using var context = _database.CreateContext();
        // Two index seeks (serial, then the UIDs it names) instead of one OR, which would defeat both indexes.
        var uids = await context.Attempts.Where(a => a.SerialText == serial && a.McuUid != null).Select(a => a.McuUid!)
            .Distinct().ToListAsync(cancellationToken).ConfigureAwait(false);
        var bySerial = await Summaries(context.Attempts.Where(a => a.SerialText == serial)).ToListAsync(cancellationToken).ConfigureAwait(false);
        var byUid = uids.Count == 0 ? [] : await Summaries(context.Attempts.Where(a => uids.Contains(a.McuUid!))).ToListAsync(cancellationToken).ConfigureAwait(false);
        return History(bySerial.Concat(byUid).DistinctBy(a => a.Id));
    }

    /// <summary>Every attempt on the chip with MCU UID <paramref name="mcuUid"/> (hex, any case).</summary>
    public async Task<UnitHistory> FindUnitByUidAsync(string mcuUid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mcuUid);
        var uid = mcuUid.Trim().ToUpperInvariant();
        await using var context = _database.CreateContext();
        return await HistoryAsync(context.Attempts.Where(a => a.McuUid == uid), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Page <paramref name="pageNumber"/> (from 1) of the filtered attempts, newest first (offset paging).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Page number below 1 or page size outside 1–<see cref="MaxPageSize"/>.</exception>
    public async Task<AttemptPage> PageAsync(AttemptFilter filter, int pageNumber, int pageSize = 50, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageNumber, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);
        await using var context = _database.CreateContext();

        // Skip over keys only (the index holds them), then read the page's rows by key.
        var ids = await NewestFirst(Apply(context.Attempts, filter)).Select(a => a.Id)
            .Skip((pageNumber - 1) * pageSize).Take(pageSize + 1)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return await PageOfAsync(context, ids, pageSize, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The page after <paramref name="after"/> (or the first page when null), newest first (keyset paging: constant cost at any depth).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Page size outside 1–<see cref="MaxPageSize"/>.</exception>
    public async Task<AttemptPage> PageAfterAsync(AttemptFilter filter, AttemptCursor? after, int pageSize = 50, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);
        await using var context = _database.CreateContext();
        var query = Apply(context.Attempts, filter);
        if (after is { } cursor)
        {
            query = query.Where(a => a.StartedAt < cursor.StartedAt || (a.StartedAt == cursor.StartedAt && a.Id < cursor.Id));
        }

        var ids = await NewestFirst(query).Select(a => a.Id).Take(pageSize + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
        return await PageOfAsync(context, ids, pageSize, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the filtered attempts as CSV (RFC 4180, a header row, oldest first) to <paramref name="writer"/>, streaming
    /// row by row: memory stays flat however many attempts match.
    /// </summary>
    /// <returns>The number of data rows written.</returns>
    public async Task<long> ExportCsvAsync(AttemptFilter filter, TextWriter writer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(writer);
        await using var context = _database.CreateContext();
        var csv = CsvWriter.Create(writer, options: null, leaveOpen: true);
        await using (csv.ConfigureAwait(false))
        {
            csv.WriteHeader(CsvColumns); // a whole record: WriteHeader ends it itself
            long rows = 0;
            var query = Summaries(Apply(context.Attempts, filter).OrderBy(a => a.StartedAt).ThenBy(a => a.Id));
            await foreach (var a in query.AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                csv.WriteField(a.Id.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(a.StartedAt.ToString("O", CultureInfo.InvariantCulture));
                csv.WriteField(a.EndedAt?.ToString("O", CultureInfo.InvariantCulture));
                csv.WriteField(a.Station);
                csv.WriteField(a.FixtureId.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(a.SlotPosition.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(a.Recipe);
                csv.WriteField(a.RecipeVersion);
                csv.WriteField(a.Operator);
                csv.WriteField(a.State.ToString());
                csv.WriteField(a.FailureCode?.ToString());
                csv.WriteField(a.SerialText);
                csv.WriteField(a.McuUid);
                csv.WriteField(a.DevicePart);
                csv.WriteField(a.Genuineness);
                csv.WriteField(a.ProbeSerial);
                csv.WriteField(a.ModeledSeconds?.ToString("R", CultureInfo.InvariantCulture));
                csv.WriteField(a.Fixture);
                await csv.EndRecordAsync(cancellationToken).ConfigureAwait(false);
                rows++;
            }

            await csv.FlushAsync(cancellationToken).ConfigureAwait(false);
            return rows;
        }
    }

    /// <summary>The CSV header, in column order.</summary>
    public static IReadOnlyList<string> CsvHeader => CsvColumns;

    private static readonly string[] CsvColumns =
    [
        "id", "started_at", "ended_at", "station", "fixture_id", "slot", "recipe", "recipe_version", "operator",
        "state", "failure_code", "serial", "mcu_uid", "device", "genuineness", "probe_serial", "modeled_seconds",
        "fixture",
    ];

    internal IQueryable<Attempt> Apply(IQueryable<Attempt> attempts, AttemptFilter filter)
    {
        // The hour bounds are implied by the time bounds; they let an index that leads with StartedHour seek the range.
        if (filter.From is { } from)
        {
            var fromHour = StoreTime.HourOf(from);
            attempts = attempts.Where(a => a.StartedHour >= fromHour && a.StartedAt >= from);
        }

        if (filter.To is { } to)
        {
            var toHour = StoreTime.HourOf(to);
            attempts = attempts.Where(a => a.StartedHour <= toHour && a.StartedAt < to);
        }

        if (filter.StationId is { } station)
        {
            attempts = attempts.Where(a => a.StationId == station);
        }

        if (filter.FixtureId is { } fixture)
        {
            attempts = attempts.Where(a => a.FixtureId == fixture);
        }

        if (filter.SlotId is { } slot)
        {
            attempts = attempts.Where(a => a.SlotId == slot);
        }

        if (filter.RecipeId is { } recipe)
        {
            attempts = attempts.Where(a => a.RecipeId == recipe);
        }

        if (filter.State is { } state)
        {
            attempts = attempts.Where(a => a.State == state);
        }

        if (filter.FailureCode is { } code)
        {
            attempts = attempts.Where(a => a.FailureCode == code);
        }

        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var text = filter.Search.Trim();
            var upper = text.ToUpperInvariant();
            attempts = attempts.Where(a => (a.SerialText != null && a.SerialText.Contains(text)) || (a.McuUid != null && a.McuUid.Contains(upper)));
        }

        if (!string.IsNullOrWhiteSpace(filter.Shift))
        {
            attempts = attempts.Where(InShift(filter.Shift, filter));
        }

        return attempts;
    }

    /// <summary>The shift table, in order of start hour.</summary>
    public IReadOnlyList<ShiftDefinition> Shifts => _shifts;

    /// <summary>
    /// Attempts that started in shift <paramref name="name"/>'s local hours. With one UTC offset over the whole range the
    /// test is arithmetic on <see cref="Attempt.StartedHour"/>; across a daylight-saving change it is the list of the range's
    /// UTC hours that fall in the shift, as hour ranges (the same hour-by-hour rule as <see cref="HourKey"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The shift is not in the table, or a zone with daylight saving has no range to list the hours of.</exception>
    private Expression<Func<Attempt, bool>> InShift(string name, AttemptFilter filter)
    {
        var index = Array.FindIndex(_shifts, s => string.Equals(s.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));
        if (index < 0)
        {
            throw new ArgumentException($"Shift '{name}' is not in the shift table; the shifts are {string.Join(", ", _shifts.Select(s => s.Name))}.", nameof(filter));
        }

        var start = _shifts[index].StartHour;
        var length = _shifts.Length == 1 ? 24 : (_shifts[(index + 1) % _shifts.Length].StartHour - start + 24) % 24;
        if (ConstantOffsetHours(filter) is { } hours)
        {
            // local hour = (StartedHour + offset) mod 24, and hours carries offset + 24; the shift holds the local hours
            // start .. start + length - 1 (mod 24). The constant keeps the left side positive, so % is a true modulo.
            var shift = hours - start + 24;
            return a => (a.StartedHour + shift) % 24 < length;
        }

        if (filter.From is not { } from || filter.To is not { } to)
        {
            throw new ArgumentException($"A shift filter in {_options.TimeZone.Id}, which changes its UTC offset, needs both ends of the time range.", nameof(filter));
        }

        var ranges = new List<(int First, int Last)>();
        for (var hour = StoreTime.HourOf(from); hour <= StoreTime.HourOf(to); hour++)
        {
            if (HourKey(hour, TimeBucket.Shift).Shift != _shifts[index])
            {
                continue;
            }

            if (ranges.Count > 0 && ranges[^1].Last == hour - 1)
            {
                ranges[^1] = (ranges[^1].First, hour);
            }
            else
            {
                ranges.Add((hour, hour));
            }
        }

        var attempt = Expression.Parameter(typeof(Attempt), "a");
        var startedHour = Expression.Property(attempt, nameof(Attempt.StartedHour));
        var tests = ranges.Select(r => (Expression)Expression.AndAlso(
            Expression.GreaterThanOrEqual(startedHour, Expression.Constant(r.First)),
            Expression.LessThanOrEqual(startedHour, Expression.Constant(r.Last)))).ToList();
        return Expression.Lambda<Func<Attempt, bool>>(tests.Count == 0 ? Expression.Constant(false) : Balanced(tests, 0, tests.Count), attempt);
    }

    // An OR of many terms as a balanced tree, so a year of daily ranges stays a shallow expression for the SQL translator.
    private static Expression Balanced(List<Expression> terms, int first, int count) => count == 1
        ? terms[first]
        : Expression.OrElse(Balanced(terms, first, count / 2), Balanced(terms, first + (count / 2), count - (count / 2)));

    private static IOrderedQueryable<Attempt> NewestFirst(IQueryable<Attempt> attempts) =>
        attempts.OrderByDescending(a => a.StartedAt).ThenByDescending(a => a.Id);

    private static IQueryable<AttemptSummary> Summaries(IQueryable<Attempt> attempts) => attempts.Select(a => new AttemptSummary
    {
        Id = a.Id,
        RunId = a.RunId,
        StartedAt = a.StartedAt,
        EndedAt = a.EndedAt,
        Station = a.Station!.Name,
        FixtureId = a.FixtureId,
        Fixture = a.Slot!.Fixture!.Name,
        SlotId = a.SlotId,
        SlotPosition = a.Slot!.Position,
        Recipe = a.Recipe!.Name,
        RecipeVersion = a.Recipe!.Version,
        Operator = a.Run!.Operator,
        State = a.State,
        FailureCode = a.FailureCode,
        SerialText = a.SerialText,
        McuUid = a.McuUid,
        DevicePart = a.DevicePart,
        Genuineness = a.Genuineness,
        ProbeSerial = a.ProbeSerial,
        ModeledSeconds = a.ModeledSeconds,
    });

    private static async Task<AttemptPage> PageOfAsync(StationDbContext context, List<long> ids, int pageSize, CancellationToken cancellationToken)
    {
        var hasMore = ids.Count > pageSize;
        var pageIds = hasMore ? ids[..pageSize] : ids;
        var rows = await Summaries(context.Attempts.Where(a => pageIds.Contains(a.Id)))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var items = rows.OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id).ToList();
        var next = hasMore && items.Count > 0 ? new AttemptCursor(items[^1].StartedAt, items[^1].Id) : (AttemptCursor?)null;
        return new AttemptPage(items, next);
    }

    private static async Task<UnitHistory> HistoryAsync(IQueryable<Attempt> attempts, CancellationToken cancellationToken) =>
        History(await Summaries(attempts).ToListAsync(cancellationToken).ConfigureAwait(false));

    private static UnitHistory History(IEnumerable<AttemptSummary> attempts)
    {
        var rows = attempts.OrderBy(a => a.StartedAt).ThenBy(a => a.Id).ToList();
        return new UnitHistory(
            [.. rows.Where(r => r.McuUid is not null).Select(r => r.McuUid!).Distinct(StringComparer.Ordinal)],
            [.. rows.Where(r => r.SerialText is not null).Select(r => r.SerialText!).Distinct(StringComparer.Ordinal)],
            rows);
    }

    private static async Task<Dictionary<int, string>> NamesAsync(StationDbContext context, YieldDimension dimension, CancellationToken cancellationToken) => dimension switch
    {
        YieldDimension.Station => await context.Stations.ToDictionaryAsync(s => s.Id, s => s.Name, cancellationToken).ConfigureAwait(false),
        YieldDimension.Fixture => await context.Fixtures.Select(f => new { f.Id, Name = f.Station!.Name + "/" + f.Name })
            .ToDictionaryAsync(f => f.Id, f => f.Name, cancellationToken).ConfigureAwait(false),
        YieldDimension.Slot => (await context.Slots.Select(s => new { s.Id, Station = s.Fixture!.Station!.Name, Fixture = s.Fixture.Name, s.Position })
            .ToListAsync(cancellationToken).ConfigureAwait(false))
            .ToDictionary(s => s.Id, s => string.Create(CultureInfo.InvariantCulture, $"{s.Station}/{s.Fixture}/{s.Position}")),
        YieldDimension.Recipe => await context.Recipes.Select(r => new { r.Id, Name = r.Name + " " + r.Version })
            .ToDictionaryAsync(r => r.Id, r => r.Name, cancellationToken).ConfigureAwait(false),
        _ => [],
    };

    /// <summary>
    /// The SQL bucket number of an attempt and how to read it back. When the plant's UTC offset is the same whole number
    /// of hours over the whole range (no DST change inside it), days and shifts are numbered in SQL by integer arithmetic
    /// on <see cref="Attempt.StartedHour"/>, so the database returns one row per day or shift; otherwise it returns one
    /// row per UTC hour and they are rolled up here with the time zone's rules.
    /// </summary>
    private (Expression<Func<Attempt, int>> Bucket, Func<int, (DateOnly? Day, ShiftDefinition? Shift)> Decode) Buckets(TimeBucket bucket, AttemptFilter filter)
    {
        var offset = ConstantOffsetHours(filter);
        if (offset is not { } hours)
        {
            return (a => a.StartedHour, hour => HourKey(hour, bucket));
        }

        var first = _shifts[0].StartHour;
        var shift = bucket == TimeBucket.Day ? hours : hours - first;

        // local "shift-day" hour = StartedHour + offset (- first shift start, so a shift-day begins with the first shift)
        var attempt = Expression.Parameter(typeof(Attempt), "a");
        var local = Expression.Add(Expression.Property(attempt, nameof(Attempt.StartedHour)), Expression.Constant(shift));
        var day = Expression.Divide(local, Expression.Constant(24));
        if (bucket == TimeBucket.Day)
        {
            return (Expression.Lambda<Func<Attempt, int>>(day, attempt), d => (DateOnly.FromDayNumber(EpochDay + d), null));
        }

        var inDay = Expression.Modulo(local, Expression.Constant(24));
        Expression index = Expression.Constant(0);
        for (var i = 1; i < _shifts.Length; i++)
        {
            index = Expression.Condition(Expression.GreaterThanOrEqual(inDay, Expression.Constant(_shifts[i].StartHour - first)), Expression.Constant(i), index);
        }

        var body = Expression.Add(Expression.Multiply(day, Expression.Constant(ShiftsPerDayCode)), index);
        return (Expression.Lambda<Func<Attempt, int>>(body, attempt), b => (DateOnly.FromDayNumber(EpochDay + (b / ShiftsPerDayCode)), _shifts[b % ShiftsPerDayCode]));
    }

    private int? ConstantOffsetHours(AttemptFilter filter)
    {
        var zone = _options.TimeZone;
        TimeSpan offset;
        if (filter.From is { } from && filter.To is { } to)
        {
            offset = zone.GetUtcOffset(from);
            var probe = from;
            while (probe < to)
            {
                if (zone.GetUtcOffset(probe) != offset)
                {
                    return null;
                }

                probe = probe.AddDays(1);
            }

            if (zone.GetUtcOffset(to) != offset)
            {
                return null;
            }
        }
        else if (!zone.SupportsDaylightSavingTime)
        {
            offset = zone.BaseUtcOffset;
        }
        else
        {
            return null;
        }

        return offset.Ticks % TimeSpan.TicksPerHour == 0 ? (int)(offset.Ticks / TimeSpan.TicksPerHour) + 24 : null;
    }

    private (DateOnly? Day, ShiftDefinition? Shift) HourKey(int hour, TimeBucket bucket)
    {
        var local = TimeZoneInfo.ConvertTime(StoreTime.StartOfHour(hour), _options.TimeZone);
        var day = DateOnly.FromDateTime(local.DateTime);
        if (bucket == TimeBucket.Day)
        {
            return (day, null);
        }

        // The last shift started at or before this hour; before the first start it is the previous day's last shift.
        var index = Array.FindLastIndex(_shifts, s => s.StartHour <= local.Hour);
        return index >= 0 ? (day, _shifts[index]) : (day.AddDays(-1), _shifts[^1]);
    }

    /// <summary>Builds <c>a => template(key(a), bucket(a))</c> so one key selector serves every grouping shape.</summary>
    private static Expression<Func<Attempt, TKey>> Compose<TKey>(Expression<Func<Attempt, int>> key, Expression<Func<Attempt, int>> bucket, Expression<Func<int, int, TKey>> template)
    {
        var attempt = Expression.Parameter(typeof(Attempt), "a");
        var keyBody = new Substitute(key.Parameters[0], attempt).Visit(key.Body);
        var bucketBody = new Substitute(bucket.Parameters[0], attempt).Visit(bucket.Body);
        var body = new Substitute(template.Parameters[1], bucketBody).Visit(new Substitute(template.Parameters[0], keyBody).Visit(template.Body));
        return Expression.Lambda<Func<Attempt, TKey>>(body, attempt);
    }

    private sealed record RawYield(int Key, int Bucket, int Attempts, int Passed, int Failed, int Units, int FirstPassPassed);

    private sealed class Substitute(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}

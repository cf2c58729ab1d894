using System.Globalization;
using System.Text;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

using ProdFlash.Core.Diagnostics;
using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Data.Reports;
using ProdFlash.Station.Security;

namespace ProdFlash.Station.Api;

/// <summary>Runs, attempts (filtered, paged), unit traceability, yield and CSV export over HTTP.</summary>
public static class ReportsApi
{
    /// <summary>The default page size.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>Maps <c>/api/runs</c>, <c>/api/attempts</c>, <c>/api/units</c> and <c>/api/reports</c>.</summary>
    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/api").WithTags("Production").AddEndpointFilter<ProblemsFilter>();
        api.MapGet("/runs", ListRunsAsync).RequireAuthorization(StationPolicies.AnyRole).WithSummary("Runs, newest first, filtered by fixture and time, paged (every role).");
        api.MapGet("/runs/{id:long}", GetRunAsync).RequireAuthorization(StationPolicies.AnyRole).WithSummary("One run with its attempts (every role).");
        api.MapGet("/attempts", ListAttemptsAsync).RequireAuthorization(StationPolicies.AnyRole)
            .WithSummary("Attempts, newest first, filtered, paged by page number or by the 'after' cursor of the previous page (every role).");
        api.MapGet("/attempts/export.csv", ExportCsvAsync).RequireAuthorization(StationPolicies.Reports).WithSummary("The filtered attempts as CSV, streamed (Engineer, Manager, Admin).");
        api.MapGet("/units/serial/{serial}", UnitBySerialAsync).RequireAuthorization(StationPolicies.AnyRole).WithSummary("Every attempt on the unit that got this serial (every role).");
        api.MapGet("/units/uid/{uid}", UnitByUidAsync).RequireAuthorization(StationPolicies.AnyRole).WithSummary("Every attempt on the MCU with this UID (every role).");
        api.MapGet("/reports/yield", YieldAsync).RequireAuthorization(StationPolicies.Reports).WithSummary("Yield, first-pass yield and attempt yield by dimension and time bucket (Engineer, Manager, Admin).");
        return app;
    }

    private static async Task<Results<Ok<PageDto<RunDto>>, ProblemHttpResult>> ListRunsAsync(StationDatabase database, int? fixtureId, DateTimeOffset? from, DateTimeOffset? to,
        int? page, int? pageSize, CancellationToken cancellationToken)
    {
        if (CheckPaging(page, pageSize) is { } problem)
        {
            return problem;
        }

        var (p, size) = (page ?? 1, pageSize ?? DefaultPageSize);
        await using var context = database.CreateContext();
        var query = context.Runs.AsNoTracking();
        if (fixtureId is { } f)
        {
            query = query.Where(r => r.FixtureId == f);
        }

        if (from is { } start)
        {
            query = query.Where(r => r.StartedAt >= start);
        }

        if (to is { } end)
        {
            query = query.Where(r => r.StartedAt < end);
        }

        var runs = await query.OrderByDescending(r => r.Id).Skip((p - 1) * size).Take(size + 1)
            .Select(r => new RunDto(r.Id, r.FixtureId, r.RecipeId, r.Operator, r.LotCode, r.StartedAt, r.EndedAt))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var next = runs.Count > size ? (p + 1).ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new PageDto<RunDto>([.. runs.Take(size)], p, size, next));
    }

    private static async Task<Results<Ok<RunWithAttempts>, ProblemHttpResult>> GetRunAsync(long id, StationDatabase database, ProductionReports reports, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var run = await context.Runs.AsNoTracking().Where(r => r.Id == id)
            .Select(r => new RunDto(r.Id, r.FixtureId, r.RecipeId, r.Operator, r.LotCode, r.StartedAt, r.EndedAt))
            .SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (run is null)
        {
            return ApiProblems.NotFound($"No run has id {id}; list the runs (GET /api/runs).");
        }

        return TypedResults.Ok(new RunWithAttempts(run, await AttemptsOfRunAsync(reports, run, cancellationToken).ConfigureAwait(false)));
    }

    private static async Task<AttemptSummary[]> AttemptsOfRunAsync(ProductionReports reports, RunDto run, CancellationToken cancellationToken)
    {
        // The run's attempts start on its fixture between its start and its end: walk those cursor pages (index order).
        var filter = new AttemptFilter { FixtureId = run.FixtureId, From = run.StartedAt, To = run.EndedAt?.AddMilliseconds(1) };
        var result = new List<AttemptSummary>();
        AttemptCursor? cursor = null;
        do
        {
            var page = await reports.PageAfterAsync(filter, cursor, ProductionReports.MaxPageSize, cancellationToken).ConfigureAwait(false);
            result.AddRange(page.Items.Where(a => a.RunId == run.Id));
            cursor = page.Next;
        }
        while (cursor is not null);
        return [.. result.OrderBy(a => a.SlotPosition)];
    }

    private static async Task<Results<Ok<PageDto<AttemptSummary>>, ProblemHttpResult>> ListAttemptsAsync(ProductionReports reports, [AsParameters] AttemptQuery query,
        int? page, int? pageSize, string? after, CancellationToken cancellationToken)
    {
        if (CheckPaging(page, pageSize) is { } problem)
        {
            return problem;
        }

        if (page is not null && after is not null)
        {
            return ApiProblems.BadRequest("Give either page or after, not both: page numbers count from the newest attempt, after continues from a cursor.");
        }

        if (CheckShift(reports, query.Shift) is { } unknownShift)
        {
            return unknownShift;
        }

        var size = pageSize ?? DefaultPageSize;
        if (after is not null)
        {
            if (!TryParseCursor(after, out var cursor))
            {
                return ApiProblems.BadRequest($"after '{after}' is not a cursor; pass the 'next' value of the previous page unchanged.");
            }

            var next = await reports.PageAfterAsync(query.ToFilter(), cursor, size, cancellationToken).ConfigureAwait(false);
            return TypedResults.Ok(new PageDto<AttemptSummary>(next.Items, 0, size, FormatCursor(next.Next)));
        }

        var number = page ?? 1;
        var result = await reports.PageAsync(query.ToFilter(), number, size, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new PageDto<AttemptSummary>(result.Items, number, size, FormatCursor(result.Next)));
    }

    private static async Task<IResult> ExportCsvAsync(HttpContext context, ProductionReports reports, [AsParameters] AttemptQuery query, CancellationToken cancellationToken)
    {
        if (CheckShift(reports, query.Shift) is { } unknownShift)
        {
            return unknownShift;
        }

        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = "attachment; filename=attempts.csv";
        var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024);
        await using (writer.ConfigureAwait(false))
        {
            await reports.ExportCsvAsync(query.ToFilter(), writer, cancellationToken).ConfigureAwait(false);
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return TypedResults.Empty;
    }

    private static async Task<Results<Ok<UnitHistory>, ProblemHttpResult>> UnitBySerialAsync(string serial, ProductionReports reports, CancellationToken cancellationToken)
    {
        var history = await reports.FindUnitBySerialAsync(serial, cancellationToken).ConfigureAwait(false);
        return history.Attempts.Count == 0
            ? ApiProblems.NotFound($"No attempt gave serial '{serial}'; check the label text, or look the unit up by its MCU UID.")
            : TypedResults.Ok(history);
    }

    private static async Task<Results<Ok<UnitHistory>, ProblemHttpResult>> UnitByUidAsync(string uid, ProductionReports reports, CancellationToken cancellationToken)
    {
        var history = await reports.FindUnitByUidAsync(uid, cancellationToken).ConfigureAwait(false);
        return history.Attempts.Count == 0
            ? ApiProblems.NotFound($"No attempt read MCU UID '{uid}'; write the 96-bit UID as 24 hex digits, as the attempts show it.")
            : TypedResults.Ok(history);
    }

    private static async Task<Results<Ok<IReadOnlyList<YieldRow>>, ProblemHttpResult>> YieldAsync(ProductionReports reports, [AsParameters] AttemptQuery query, YieldDimension? by, TimeBucket? bucket,
        CancellationToken cancellationToken) =>
        CheckShift(reports, query.Shift) is { } unknownShift
            ? unknownShift
            : TypedResults.Ok(await reports.YieldAsync(query.ToFilter(), by ?? YieldDimension.Total, bucket ?? TimeBucket.None, cancellationToken).ConfigureAwait(false));

    private static ProblemHttpResult? CheckShift(ProductionReports reports, string? shift) =>
        string.IsNullOrWhiteSpace(shift) || reports.Shifts.Any(s => string.Equals(s.Name, shift.Trim(), StringComparison.OrdinalIgnoreCase))
            ? null
            : ApiProblems.BadRequest($"shift '{shift}' is not in the shift table (configuration section Reports:Shifts); the shifts are {string.Join(", ", reports.Shifts.Select(s => s.Name))}.");

    private static ProblemHttpResult? CheckPaging(int? page, int? pageSize)
    {
        if (page is < 1)
        {
            return ApiProblems.BadRequest($"page {page} is out of range; pages count from 1.");
        }

        return pageSize is < 1 or > ProductionReports.MaxPageSize
            ? ApiProblems.BadRequest($"pageSize {pageSize} is out of range; use 1 to {ProductionReports.MaxPageSize}.")
            : null;
    }

    private static string? FormatCursor(AttemptCursor? cursor) =>
        cursor is { } c ? string.Create(CultureInfo.InvariantCulture, $"{c.StartedAt.ToUnixTimeMilliseconds()}-{c.Id}") : null;

    private static bool TryParseCursor(string text, out AttemptCursor cursor)
    {
        cursor = default;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0
            || !long.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || !long.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }

        cursor = new AttemptCursor(DateTimeOffset.FromUnixTimeMilliseconds(ms), id);
        return true;
    }
}

/// <summary>A run with its attempts in slot order.</summary>
/// <param name="Run">The run.</param>
/// <param name="Attempts">Its attempts.</param>
public sealed record RunWithAttempts(RunDto Run, IReadOnlyList<AttemptSummary> Attempts);

/// <summary>Query-string filter of attempts, shared by the list, CSV export and yield endpoints.</summary>
public sealed record AttemptQuery
{
    /// <summary>Attempts started at or after this instant.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Attempts started before this instant.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Only this station.</summary>
    public int? StationId { get; init; }

    /// <summary>Only this fixture.</summary>
    public int? FixtureId { get; init; }

    /// <summary>Only this slot.</summary>
    public int? SlotId { get; init; }

    /// <summary>Only this recipe.</summary>
    public int? RecipeId { get; init; }

    /// <summary>Only this terminal or running state.</summary>
    public AttemptState? State { get; init; }

    /// <summary>Only this failure code.</summary>
    public FailureCode? FailureCode { get; init; }

    /// <summary>Serial or MCU UID prefix.</summary>
    public string? Search { get; init; }

    /// <summary>Only attempts started in this shift of the shift table (by name, any case), on any day of the range.</summary>
    public string? Shift { get; init; }

    /// <summary>The report filter.</summary>
    public AttemptFilter ToFilter() => new()
    {
        From = From,
        To = To,
        StationId = StationId,
        FixtureId = FixtureId,
        SlotId = SlotId,
        RecipeId = RecipeId,
        State = State,
        FailureCode = FailureCode,
        Search = Search,
        Shift = Shift,
    };
}

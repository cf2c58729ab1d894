using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

using ProdFlash.Data;
using ProdFlash.Station.Library;
using ProdFlash.Station.Security;

namespace ProdFlash.Station.Api;

/// <summary>ProblemDetails results that say what was wrong, and the one place our exceptions become them.</summary>
public static class ApiProblems
{
    /// <summary>400 with <paramref name="detail"/>.</summary>
    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "The request is invalid");

    /// <summary>404 with <paramref name="detail"/>.</summary>
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    /// <summary>503 "Store unavailable": the station could not record what was asked (full or read-only data directory).</summary>
    public static ProblemHttpResult StoreUnavailable(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Store unavailable");

    /// <summary>409 with <paramref name="title"/> and <paramref name="detail"/>.</summary>
    public static ProblemHttpResult Conflict(string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status409Conflict, title: title);

    /// <summary>
    /// The ProblemDetails for one of our exceptions, or for a store/file failure (503: the station keeps serving, the
    /// change was not made); null for anything else, which then propagates.
    /// </summary>
    public static ProblemHttpResult? From(Exception exception) => exception switch
    {
        LibraryItemNotFoundException e => NotFound(e.Message),
        LibraryValidationException e => BadRequest(e.Message),
        TwoPersonRuleException e => Conflict("Two-person rule", e.Message),
        LibraryStateException e => Conflict("Not allowed in this state", e.Message),
        ImageIntegrityException e => Conflict("Image integrity failed", e.Message),
        ApiKeyException { IsNotFound: true } e => NotFound(e.Message),
        ApiKeyException e => BadRequest(e.Message),
        RecordNotFoundException e => NotFound(e.Message),
        InvalidRecordStateException e => Conflict("Not allowed in this state", e.Message),
        DbUpdateException e => Unavailable("The station's store refused the change", e.InnerException?.Message ?? e.Message),
        UnauthorizedAccessException e => Unavailable("A station folder cannot be written", e.Message),
        IOException e => Unavailable("A station folder cannot be written", e.Message),
        _ => null,
    };

    private static ProblemHttpResult Unavailable(string title, string detail) =>
        TypedResults.Problem(detail: $"{detail} Nothing was changed; check that the data and library folders are writable and not full, then retry.", statusCode: StatusCodes.Status503ServiceUnavailable, title: title);
}

/// <summary>Turns our typed exceptions into ProblemDetails for every endpoint of a group; others pass untouched.</summary>
public sealed class ProblemsFilter : IEndpointFilter
{
    /// <inheritdoc/>
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && ApiProblems.From(e) is not null)
        {
            return ApiProblems.From(e);
        }
    }
}

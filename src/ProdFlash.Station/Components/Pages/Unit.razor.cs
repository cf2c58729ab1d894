using System.Globalization;

using Microsoft.AspNetCore.Components;

using ProdFlash.Data;
using ProdFlash.Data.Reports;
using ProdFlash.Station.Components.Manager;

namespace ProdFlash.Station.Components.Pages;

/// <summary>
/// <c>/units/{Key}</c>: every attempt of one unit, found by serial or by MCU UID (24 hex digits), oldest first, with all
/// it measured: phases and their times and measurements, device, genuineness, failure with title and remedy, option bytes.
/// </summary>
/// <remarks>Every role may open it (traceability). Leaving the page cancels a query still running.</remarks>
public sealed partial class Unit
{
    private readonly CancellationTokenSource _closing = new();
    private UnitHistory? _history;
    private IReadOnlyDictionary<long, AttemptDetails> _details = new Dictionary<long, AttemptDetails>();
    private string? _error;

    /// <summary>The serial text or the MCU UID.</summary>
    [Parameter]
    public string Key { get; set; } = string.Empty;

    [Inject]
    private ProductionReports ProductionReports { get; set; } = default!;

    [Inject]
    private StationDatabase Database { get; set; } = default!;

    [Inject]
    private ReportOptions Options { get; set; } = default!;

    /// <summary>Whether <paramref name="key"/> is written like an MCU UID: 24 hex digits.</summary>
    public static bool IsMcuUid(string key) =>
        key.Length == 24 && key.All(char.IsAsciiHexDigit);

    /// <inheritdoc/>
    public void Dispose()
    {
        _closing.Cancel();
        _closing.Dispose();
    }

    /// <inheritdoc/>
    protected override async Task OnParametersSetAsync()
    {
        _history = null;
        _error = null;
        var key = Key.Trim();
        if (key.Length == 0)
        {
            _history = new UnitHistory([], [], []);
            return;
        }

        try
        {
            // A serial is looked up first (it finds the UIDs it was written to); a UID-shaped key that no serial matches is a UID.
            var history = await ProductionReports.FindUnitBySerialAsync(key, _closing.Token);
            if (history.Attempts.Count == 0 && IsMcuUid(key))
            {
                history = await ProductionReports.FindUnitByUidAsync(key, _closing.Token);
            }

            _details = await AttemptDetails.LoadAsync(Database, [.. history.Attempts.Select(a => a.Id)], _closing.Token);
            _history = history;
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // The page closed while the queries ran.
        }
        catch (StationDataException ex)
        {
            _error = string.Create(CultureInfo.InvariantCulture, $"The unit's attempts could not be read: {ex.Message}");
        }
    }
}

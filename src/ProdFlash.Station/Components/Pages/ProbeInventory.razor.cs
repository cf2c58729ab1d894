using System.Globalization;

using Microsoft.AspNetCore.Components;

using ProdFlash.Data;
using ProdFlash.Data.Inventory;
using ProdFlash.Data.Reports;

using InventoryStore = ProdFlash.Data.Inventory.ProbeInventory;

namespace ProdFlash.Station.Components.Pages;

/// <summary>
/// <c>/engineering/probes</c>: the probe inventory (<see cref="InventoryStore"/>): serial, kind, USB port, firmware, anomalies,
/// the last measured target voltage, attempt and failure counts, first and last seen, and the slot each probe drives now.
/// </summary>
public sealed partial class ProbeInventory : IDisposable
{
    private readonly CancellationTokenSource _closing = new();
    private IReadOnlyList<ProbeRow>? _probes;
    private string? _error;

    [Inject]
    private InventoryStore Inventory { get; set; } = default!;

    [Inject]
    private ReportOptions Options { get; set; } = default!;

    /// <summary>A voltage as "3.29 V", or "—" when none was measured.</summary>
    public static string Volts(double? volts) => volts is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) + " V" : "—";

    /// <inheritdoc/>
    public void Dispose()
    {
        _closing.Cancel();
        _closing.Dispose();
    }

    /// <inheritdoc/>
    protected override async Task OnInitializedAsync()
    {
        try
        {
            _probes = await Inventory.ListAsync(_closing.Token);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // The page closed while the query ran.
        }
        catch (StationDataException ex)
        {
            _error = "The probe inventory could not be read: " + ex.Message;
        }
    }
}

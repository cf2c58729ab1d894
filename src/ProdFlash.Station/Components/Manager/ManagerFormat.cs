using System.Globalization;
using MudBlazor;
using ProdFlash.Data.Entities;

namespace ProdFlash.Station.Components.Manager;

/// <summary>How the manager pages write times, states and measurements.</summary>
public static class ManagerFormat
{
    /// <summary>An instant as the plant's local time, "2026-03-02 07:00:04".</summary>
    public static string Time(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>Seconds with three decimals, "1.720 s", or an empty string.</summary>
    public static string Seconds(double? seconds) =>
        seconds is { } s ? s.ToString("0.000", CultureInfo.InvariantCulture) + " s" : string.Empty;

    /// <summary>The colour of a state chip (the chip also shows the state's word and icon).</summary>
    public static Color StateColor(AttemptState state) => state switch
    {
        AttemptState.Passed => Color.Success,
        AttemptState.Failed => Color.Error,
        AttemptState.Running => Color.Info,
        _ => Color.Warning,
    };

    /// <summary>The icon of a state chip.</summary>
    public static string StateIcon(AttemptState state) => state switch
    {
        AttemptState.Passed => Icons.Material.Filled.CheckCircle,
        AttemptState.Failed => Icons.Material.Filled.Cancel,
        AttemptState.Running => Icons.Material.Filled.Autorenew,
        _ => Icons.Material.Filled.PauseCircle,
    };

    /// <summary>The unit page's address for an attempt: by serial when it got one, else by MCU UID; null when it has neither.</summary>
    public static string? UnitHref(string? serial, string? mcuUid) =>
        serial is not null ? "/units/" + Uri.EscapeDataString(serial)
        : mcuUid is not null ? "/units/" + Uri.EscapeDataString(mcuUid)
        : null;
}

using MudBlazor;

namespace ProdFlash.Station.Components.Layout;

/// <summary>The dashboard's colours: high contrast, readable from two metres on a line screen.</summary>
public static class DashboardTheme
{
    /// <summary>The theme every page uses.</summary>
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1565c0",
            Success = "#1b7f3b",
            Error = "#c62828",
            Warning = "#b26a00",
            AppbarBackground = "#263238",
        },
    };
}

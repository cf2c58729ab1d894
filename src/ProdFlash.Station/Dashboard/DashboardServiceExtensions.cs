using MudBlazor.Services;

using ProdFlash.Station.Components;
using ProdFlash.Station.Security;

namespace ProdFlash.Station.Dashboard;

/// <summary>Registers and maps the Blazor Server dashboard (Components/): interactive server rendering, MudBlazor, the signed-in user.</summary>
public static class DashboardServiceExtensions
{
    /// <summary>Adds Razor components with interactive server rendering, MudBlazor's services and the authentication state.</summary>
    /// <remarks>
    /// Static web assets (MudBlazor's CSS and script, <c>blazor.web.js</c>) are served from the build output in every
    /// environment, so the station runs the same from <c>dotnet run</c>, from a test and from a published folder.
    /// </remarks>
    public static WebApplicationBuilder AddStationDashboard(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddMudServices();
        return builder;
    }

    /// <summary>Maps the static assets and the dashboard's pages; call after the API is mapped.</summary>
    public static WebApplication MapStationDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapSignInApi();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}

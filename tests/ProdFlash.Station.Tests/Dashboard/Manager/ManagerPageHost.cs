using System.Security.Claims;

using Bunit;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

using MudBlazor.Services;

using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Data.Reports;
using ProdFlash.Station.Security;

namespace ProdFlash.Station.Tests.Dashboard.Manager;

/// <summary>
/// A bUnit context wired like the station for the manager pages: the real <see cref="ProductionReports"/> over the seeded
/// SQLite store, the seed's fake clock, MudBlazor, and the station's real role policies for a signed-in user of one role.
/// </summary>
internal sealed class ManagerPageHost : IAsyncDisposable
{
    private ManagerPageHost(ManagerSeed seed, ReportOptions options, UserRole? role)
    {
        Seed = seed;
        Options = options;
        Reports = new ProductionReports(seed.Database, options);
        Context = new BunitContext();
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        var services = Context.Services;
        services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        services.AddSingleton(seed.Database);
        services.AddSingleton(Reports);
        services.AddSingleton(options);
        services.AddSingleton<TimeProvider>(seed.Clock);
        // The menu lists the station's fixtures from the live status.
        services.AddSingleton(new StatusStore(new StationStatus("TEST-ST01", 0, false, [new FixtureStatus("F1", "Blue Pill sample 1.0.0 (configuration)", null, [])])));
        services.AddStationSecurity();

        // bUnit registers stand-ins that refuse to authorize; the station's real policies and evaluator replace them.
        services.Replace(ServiceDescriptor.Transient<IAuthorizationService, DefaultAuthorizationService>());
        services.Replace(ServiceDescriptor.Transient<IAuthorizationPolicyProvider, DefaultAuthorizationPolicyProvider>());
        services.AddCascadingAuthenticationState();
        services.AddSingleton<AuthenticationStateProvider>(new FixedUser(role));
    }

    public ManagerSeed Seed { get; }

    public ReportOptions Options { get; }

    public ProductionReports Reports { get; }

    public BunitContext Context { get; }

    public NavigationManager Navigation => Context.Services.GetRequiredService<NavigationManager>();

    /// <summary>A host over a freshly seeded store, signed in as <paramref name="role"/> (null: nobody).</summary>
    public static async Task<ManagerPageHost> CreateAsync(UserRole? role = UserRole.Manager, ReportOptions? options = null) =>
        new(await ManagerSeed.CreateAsync(), options ?? new ReportOptions(), role);

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        await Seed.DisposeAsync();
    }

    private sealed class FixedUser(UserRole? role) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync()
        {
            var identity = role is { } r
                ? new ClaimsIdentity([new Claim(ClaimTypes.Name, r.ToString().ToLowerInvariant()), new Claim(ClaimTypes.Role, r.ToString())], "test")
                : new ClaimsIdentity();
            return Task.FromResult(new AuthenticationState(new ClaimsPrincipal(identity)));
        }
    }
}

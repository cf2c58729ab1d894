using Bunit;
using Microsoft.Extensions.DependencyInjection;
using ProdFlash.Data.Reports;
using ProdFlash.Station.Runtime;
using ProdFlash.Station.Security;

namespace ProdFlash.Station.Tests.Dashboard.Operator;

/// <summary>
/// A bUnit context whose pages talk to a real station host (<see cref="StationAppFactory"/>: SQLite store, slot
/// runners, emulated probes): the same status store, runtime and reports the dashboard gets in the host.
/// </summary>
/// <remarks>Disposing the context disposes the rendered pages, then the host.</remarks>
public sealed class OperatorPageContext : BunitContext
{
    /// <summary>Starts a station with <paramref name="settings"/> and signs in <paramref name="user"/>.</summary>
    /// <param name="settings">The station's settings (see <see cref="StationAppFactory.DefaultSettings"/>).</param>
    /// <param name="user">The signed-in user's name.</param>
    /// <param name="canOperate">Whether the user passes the Operate policy (Operator, Engineer, Admin).</param>
    public OperatorPageContext(IDictionary<string, string?> settings, string user = "operator", bool canOperate = true)
    {
        Factory = new StationAppFactory(settings);
        _ = Factory.Server;
        Services.AddSingleton(Factory.Services.GetRequiredService<StatusStore>());
        Services.AddSingleton(Factory.Services.GetRequiredService<StationRuntime>());
        Services.AddSingleton(Factory.Services.GetRequiredService<ProductionReports>());
        Services.AddSingleton(Factory.Services.GetRequiredService<StationRegistry>());
        Services.AddSingleton(TimeProvider.System);
        JSInterop.Mode = JSRuntimeMode.Loose;
        var authorization = AddAuthorization();
        authorization.SetAuthorized(user);
        authorization.SetPolicies(canOperate ? [StationPolicies.AnyRole, StationPolicies.Operate] : [StationPolicies.AnyRole]);
    }

    /// <summary>The station host.</summary>
    public StationAppFactory Factory { get; }

    /// <summary>The station's status store.</summary>
    public StatusStore Store => Factory.Services.GetRequiredService<StatusStore>();

    /// <summary>The fixture coordinator of <paramref name="name"/>.</summary>
    public FixtureCoordinator Fixture(string name) => Factory.Services.GetRequiredService<StationRuntime>().Fixtures[name];

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Factory.Dispose();
        }
    }
}

using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ProdFlash.Core.Probes;
using ProdFlash.Data;
using ProdFlash.Data.Inventory;
using ProdFlash.Data.Reports;
using ProdFlash.Data.Serials;
using ProdFlash.Emulator.Selection;
using ProdFlash.Probes.Gdb;
using ProdFlash.Probes.Selection;
using ProdFlash.Programming.Engine;
using ProdFlash.Station.Api;
using ProdFlash.Station.Runtime;

namespace ProdFlash.Station;

/// <summary>The station's composition root: everything <c>Program.cs</c> wires, in one place.</summary>
public static class StationServiceExtensions
{
    /// <summary>
    /// Binds and validates the configuration (sections <c>Station</c> and <c>Data</c>, checked at start), and registers
    /// the store, the status store and the hosted services (start-up first).
    /// </summary>
    public static IHostApplicationBuilder AddStationServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<StationOptions>().BindConfiguration(StationOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StationOptions>, StationOptionsValidator>();
        services.AddOptions<StationDatabaseOptions>().BindConfiguration(StationDatabaseOptions.SectionName)
            .Validate(o => !string.IsNullOrWhiteSpace(o.DataDirectory), $"{StationDatabaseOptions.SectionName}:DataDirectory is empty; name the folder the station keeps its store in, e.g. \"data\".")
            .ValidateOnStart();

        services.AddSingleton(sp =>
        {
            var data = sp.GetRequiredService<IOptions<StationDatabaseOptions>>().Value;
            var environment = sp.GetRequiredService<IHostEnvironment>();
            return new StationDatabase(data with { DataDirectory = StationPaths.Resolve(environment, data.DataDirectory) });
        });
        services.AddSingleton<StationRegistry>();
        services.AddSingleton(sp => new ProbeInventory(sp.GetRequiredService<StationDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new AuditTrail(sp.GetRequiredService<StationDatabase>()));
        services.AddSingleton(sp => new StatusStore(InitialStatus(sp.GetRequiredService<IOptions<StationOptions>>().Value)));

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StationOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            var loggers = sp.GetRequiredService<ILoggerFactory>();
            return new ProbeProviders(
            [
                new EmulatorProbeProvider(new EmulatorProbeProviderOptions { RealTime = options.DemoMode, TimeProvider = time }, loggers),
                new StLinkProbeProvider(null, loggers),
                new GdbProbeProvider(null, loggers),
            ]);
        });
        services.AddSingleton(sp =>
        {
            var database = sp.GetRequiredService<StationDatabase>();
            var time = sp.GetRequiredService<TimeProvider>();
            return new StationServices(
                sp.GetRequiredService<IOptions<StationOptions>>().Value.Name,
                new AttemptRecorder(database, time),
                new SerialLedger(database, time),
                sp.GetRequiredService<ProbeProviders>(),
                new AttemptEngine(new AttemptOptions()),
                sp.GetRequiredService<StatusStore>(),
                time,
                new SlotHistory(database),
                Path.GetDirectoryName(database.FilePath) ?? database.FilePath);
        });

        // Start-up first: the host starts hosted services in registration order.
        services.AddHostedService<StationStartup>();
        services.AddSingleton<StationRuntime>();
        services.AddHostedService(sp => sp.GetRequiredService<StationRuntime>());
        services.AddHostedService<AutoStarter>();
        builder.AddStationApiServices();
        return builder;
    }

    private static StationStatus InitialStatus(StationOptions options) => new(
        options.Name,
        0,
        options.DemoMode,
        [.. options.Fixtures.Select(f => new FixtureStatus(
            f.Name,
            f.Recipe,
            null,
            [.. f.Slots.Select((s, i) => new SlotStatus(i + 1, s.Probe, s.Enabled ? SlotState.Idle : SlotState.Disabled, s.Enabled ? null : "Disabled in configuration.", null, 0, null))]))]);
}

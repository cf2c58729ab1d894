using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Security;
using ProdFlash.Testing;

namespace ProdFlash.Station.Tests;

/// <summary>
/// Starts the station host in-process on a temporary data directory, with the repository's recipes and images and
/// the emulator on its modeled clock (no wall-clock waits). Settings can be added or overridden per test.
/// </summary>
public sealed class StationAppFactory : WebApplicationFactory<Program>
{
    private readonly TempDirectory _data = new();
    private readonly Dictionary<string, string?> _settings;

    public StationAppFactory(IDictionary<string, string?>? settings = null)
    {
        _settings = DefaultSettings(_data.Path);
        if (settings is not null)
        {
            foreach (var (key, value) in settings)
            {
                _settings[key] = value;
            }
        }
    }

    /// <summary>The data directory this station writes its store to.</summary>
    public string DataDirectory => _data.Path;

    /// <summary>A small station: one fixture of <paramref name="slots"/> emulated STM32F103C8 slots.</summary>
    public static Dictionary<string, string?> DefaultSettings(string dataDirectory, int slots = 2)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Data:DataDirectory"] = dataDirectory,
            ["Station:Name"] = "TEST-ST01",
            ["Station:RecipesFolder"] = Path.Combine(RepositoryPaths.FirmwareImages, "samples"),
            ["Station:ImageLibraryFolder"] = Path.Combine(dataDirectory, "library"),
            ["Station:DemoMode"] = "false",
            ["Station:Fixtures:0:Name"] = "F1",
            ["Station:Fixtures:0:Recipe"] = "blue-pill-f103c8/recipe.json",
            ["Station:Fixtures:0:Image"] = Path.Combine(RepositoryPaths.FirmwareImages, "samples", "blue-pill-f103c8", "blue-pill-f103c8.hex"),
        };
        for (var i = 0; i < slots; i++)
        {
            settings[$"Station:Fixtures:0:Slots:{i}:Probe"] = EmulatedSlot(i);
        }

        return settings;
    }

    /// <summary>
    /// A distinct passing emulator selector per slot index (the emulator keys a slot by its selector text): the three
    /// genuine personalities the F103 recipe accepts, then a negligible WAIT rate that differs per slot (WAITs are retried).
    /// </summary>
    public static string EmulatedSlot(int index)
    {
        string[] personalities = ["v2j37", "v21j40", "v3j9"];
        var personality = personalities[index % personalities.Length];
        var variant = index / personalities.Length;
        return variant == 0
            ? $"emulator://stm32f103c8?probe={personality}"
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"emulator://stm32f103c8?probe={personality}&faults=flaky-wait:0.00{variant:00}");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseContentRoot(RepositoryPaths.Root);
        builder.ConfigureAppConfiguration((_, configuration) =>
        {
            configuration.Sources.Clear();
            configuration.AddInMemoryCollection(_settings);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _data.Dispose();
        }
    }

    /// <summary>A client that sends a freshly issued key of <paramref name="role"/> (every endpoint needs one).</summary>
    public async Task<HttpClient> CreateClientAsync(UserRole role, CancellationToken cancellationToken)
    {
        var keys = Services.GetRequiredService<ApiKeyService>();
        var issued = await keys.IssueAsync(role.ToString().ToLowerInvariant(), role, "test", "test", cancellationToken: cancellationToken);
        var client = CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, issued.Key);
        return client;
    }
}

using System.Net.Http.Headers;

using Microsoft.Extensions.DependencyInjection;

using ProdFlash.Data.Entities;
using ProdFlash.Station.Runtime;
using ProdFlash.Station.Security;

namespace ProdFlash.Station.Tests.Api;

/// <summary>
/// A station on its own temporary data and library folders, served in memory, with clients that carry keys of each role.
/// Tests share one host per class (IClassFixture) and use their own users and content so they don't interfere.
/// </summary>
public class ApiTestHost : IAsyncLifetime
{
    private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal);
    private StationAppFactory? _factory;

    /// <summary>The library folder (station's test settings: under the data directory).</summary>
    public string LibraryFolder => Path.Combine(Factory.DataDirectory, "library");

    /// <summary>The served application.</summary>
    public StationAppFactory Factory => _factory ?? throw new InvalidOperationException("The host is not started.");

    /// <summary>Settings added to the station's test defaults (override in a derived host).</summary>
    protected virtual IDictionary<string, string?>? Settings => null;

    /// <summary>The key service of the running host.</summary>
    public ApiKeyService Keys => Factory.Services.GetRequiredService<ApiKeyService>();

    /// <inheritdoc/>
    public ValueTask InitializeAsync()
    {
        _factory = new StationAppFactory(Settings);
        _ = _factory.Server; // start it: migration and key bootstrap run now
        return ValueTask.CompletedTask;
    }

    /// <summary>A client with no key.</summary>
    public HttpClient Anonymous() => Factory.CreateClient();

    /// <summary>A client acting as <paramref name="userName"/> with <paramref name="role"/> (the user and key are made on first use).</summary>
    public async Task<HttpClient> ClientAsync(UserRole role, string? userName = null)
    {
        var name = userName ?? role.ToString().ToLowerInvariant();
        if (!_keys.TryGetValue(name, out var key))
        {
            key = (await Keys.IssueAsync(name, role, "test", "test", cancellationToken: TestContext.Current.CancellationToken)).Key;
            _keys[name] = key;
        }

        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, key);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    /// <summary>Waits until <paramref name="fixture"/> has no run in progress (runs end in moments on modeled time).</summary>
    public static async Task WaitUntilIdleAsync(ApiTestHost host, string fixture)
    {
        var coordinator = host.Factory.Services.GetRequiredService<StationRuntime>().Fixtures[fixture];
        while (coordinator.IsRunning)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }
}

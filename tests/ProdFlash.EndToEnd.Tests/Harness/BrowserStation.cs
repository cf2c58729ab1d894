using Microsoft.Playwright;

namespace ProdFlash.EndToEnd.Tests.Harness;

/// <summary>
/// One demo station process and one Chromium shared by a test class (a class fixture); each test takes pages in its
/// own browser context (own cookies). Subclasses give the station's settings.
/// </summary>
public abstract class BrowserStation : IAsyncLifetime
{
    private ChromiumBrowser? _browser;
    private StationProcess? _station;

    /// <summary>The running station.</summary>
    public StationProcess Station => _station ?? throw new InvalidOperationException("Not started.");

    /// <summary>The settings the station starts with (configuration keys, e.g. <c>Station:AutoStartSeconds</c>).</summary>
    protected abstract IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>A fresh page in its own context (own cookies), with the slow machine's 120 s limits.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await (_browser ?? throw new InvalidOperationException("Not started.")).NewContextAsync(Station.BaseAddress);
        context.SetDefaultTimeout(120_000);
        context.SetDefaultNavigationTimeout(120_000);
        return await context.NewPageAsync();
    }

    /// <inheritdoc/>
    public async ValueTask InitializeAsync()
    {
        _browser = await ChromiumBrowser.LaunchAsync();
        _station = await StationProcess.StartAsync(Settings, TestContext.Current.CancellationToken);
    }

    /// <inheritdoc/>
    public virtual async ValueTask DisposeAsync()
    {
        if (_station is not null)
        {
            await _station.DisposeAsync();
        }

        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

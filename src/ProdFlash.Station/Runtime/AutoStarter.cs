using Microsoft.Extensions.Options;

namespace ProdFlash.Station.Runtime;

/// <summary>
/// Presses Start on every fixture again and again, <see cref="StationOptions.AutoStartSeconds"/> after each run ends
/// (the demo station, soak and crash tests). Does nothing when the setting is 0.
/// </summary>
internal sealed partial class AutoStarter(StationRuntime runtime, IOptions<StationOptions> options, TimeProvider time, ILogger<AutoStarter> logger) : BackgroundService
{
    /// <summary>The operator name runs started here are recorded with.</summary>
    public const string OperatorName = "auto-start";

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pause = TimeSpan.FromSeconds(options.Value.AutoStartSeconds);
        return pause <= TimeSpan.Zero
            ? Task.CompletedTask
            : Task.WhenAll(runtime.Fixtures.Values.Select(f => Task.Run(() => LoopAsync(f, pause, stoppingToken), CancellationToken.None)));
    }

    private async Task LoopAsync(FixtureCoordinator fixture, TimeSpan pause, CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var run = await fixture.StartAsync(OperatorName, null, stoppingToken).ConfigureAwait(false);
                    await run.Completion.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (FixtureBusyException ex)
                {
                    LogSkipped(logger, fixture.Name, ex.Message);
                }

                await Task.Delay(pause, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The station is stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Auto-start on {Fixture} skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string fixture, string reason);
}

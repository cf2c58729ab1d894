using ProdFlash.Data;

namespace ProdFlash.Station;

/// <summary>The station cannot start: the message names the setting and the problem.</summary>
public sealed class StationStartException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>
/// Runs before anything else starts: creates and migrates the store, then start-up recovery (unfinished attempts
/// become Interrupted, their reserved serials Void), then records the configured station, fixtures and slots.
/// </summary>
/// <remarks>Registered first among the hosted services; the host starts them in order, so runners find a recovered store.</remarks>
internal sealed partial class StationStartup(
    StationDatabase database,
    StationRegistry registry,
    ILogger<StationStartup> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw new StationStartException(
                $"{StationDatabaseOptions.SectionName}:DataDirectory cannot hold the store ({database.FilePath}): {ex.Message} Point it at a writable folder with free space.", ex);
        }

        var recovery = await new StationRecovery(database).RecoverAsync(cancellationToken).ConfigureAwait(false);
        LogRecovered(logger, database.FilePath, recovery.InterruptedAttempts, recovery.VoidedSerials);
        await registry.EnsureRecordsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Store {Path} ready; recovery marked {Interrupted} attempts Interrupted and voided {Voided} serials")]
    private static partial void LogRecovered(ILogger logger, string path, int interrupted, int voided);
}

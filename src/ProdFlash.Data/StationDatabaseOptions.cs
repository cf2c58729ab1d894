namespace ProdFlash.Data;

/// <summary>Where the station's store lives (configuration section <c>Data</c>).</summary>
public sealed record StationDatabaseOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Data";

    /// <summary>The data directory; created at start when missing.</summary>
    public string DataDirectory { get; init; } = "data";

    /// <summary>The database file name inside <see cref="DataDirectory"/>.</summary>
    public string FileName { get; init; } = "prodflash.db";

    /// <summary>How long a writer waits for another writer's transaction before SQLite reports busy (milliseconds).</summary>
    public int BusyTimeoutMilliseconds { get; init; } = 30_000;
}

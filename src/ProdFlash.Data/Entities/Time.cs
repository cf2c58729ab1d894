namespace ProdFlash.Data.Entities;

/// <summary>
/// The store keeps every timestamp as Unix milliseconds (UTC, 64-bit integer): 8 bytes a column, ordered like time,
/// and bucketed by plain integer division in provider-neutral LINQ.
/// </summary>
public static class StoreTime
{
    /// <summary>Milliseconds in one hour.</summary>
    public const long MillisecondsPerHour = 3_600_000;

    /// <summary>The whole UTC hours since the Unix epoch that <paramref name="time"/> falls in.</summary>
    public static int HourOf(DateTimeOffset time) => checked((int)Math.Floor(time.ToUnixTimeMilliseconds() / (double)MillisecondsPerHour));

    /// <summary>The start of the UTC hour numbered <paramref name="hour"/> (hours since the Unix epoch).</summary>
    public static DateTimeOffset StartOfHour(int hour) => DateTimeOffset.FromUnixTimeMilliseconds(hour * MillisecondsPerHour);

    /// <summary>Truncates <paramref name="time"/> to the millisecond the store keeps.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
}

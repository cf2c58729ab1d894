using ProdFlash.Data.Reports;

namespace ProdFlash.Station.Components.Operator;

/// <summary>The shift an instant falls in, by the reports' shift table (shifts start on whole local hours).</summary>
public static class ShiftWindow
{
    /// <summary>The shift <paramref name="now"/> falls in and the instant it started.</summary>
    /// <param name="now">The instant.</param>
    /// <param name="options">The shift table and the plant's time zone.</param>
    public static (ShiftDefinition Shift, DateTimeOffset Start) Current(DateTimeOffset now, ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var shifts = options.Shifts.OrderBy(s => s.StartHour).ToArray();
        if (shifts.Length == 0)
        {
            throw new ArgumentException("The shift table is empty.", nameof(options));
        }

        var local = TimeZoneInfo.ConvertTime(now, options.TimeZone);
        var day = local.Date;
        var shift = shifts.LastOrDefault(s => s.StartHour <= local.Hour);
        if (shift is null)
        {
            // Before the first shift of the day: the last shift of yesterday is still on.
            shift = shifts[^1];
            day = day.AddDays(-1);
        }

        var start = DateTime.SpecifyKind(day.AddHours(shift.StartHour), DateTimeKind.Unspecified);
        while (options.TimeZone.IsInvalidTime(start))
        {
            start = start.AddHours(1); // the hour was skipped by a daylight-saving change: the shift began at the next one
        }

        var offset = options.TimeZone.IsAmbiguousTime(start) ? options.TimeZone.GetAmbiguousTimeOffsets(start).Max() : options.TimeZone.GetUtcOffset(start);
        return (shift, new DateTimeOffset(start, offset));
    }
}

using ProdFlash.Data.Reports;
using ProdFlash.Station.Components.Operator;

namespace ProdFlash.Station.Tests.Dashboard.Operator;

public sealed class ShiftWindowTests
{
    [Theory]
    [InlineData("2026-12-03T06:00:00Z", "Early", "2026-12-03T06:00:00Z")]
    [InlineData("2026-12-03T13:59:59Z", "Early", "2026-12-03T06:00:00Z")]
    [InlineData("2026-12-03T14:00:00Z", "Late", "2026-12-03T14:00:00Z")]
    [InlineData("2026-12-03T23:30:00Z", "Night", "2026-12-03T22:00:00Z")]
    [InlineData("2026-12-03T05:59:00Z", "Night", "2026-12-02T22:00:00Z")]
    public void Current_DefaultShiftTableInUtc_NamesTheShiftAndItsStart(string now, string shift, string start)
    {
        // Act
        var (found, started) = ShiftWindow.Current(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), new ReportOptions());

        // Assert
        Assert.Equal(shift, found.Name);
        Assert.Equal(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture), started);
    }

    [Fact]
    public void Current_PlantInBerlinInSummer_ShiftStartsAtLocalHour()
    {
        // Arrange: 06:30 UTC is 08:30 in Berlin (CEST, +02:00); the Early shift began at 06:00 local = 04:00 UTC.
        var options = new ReportOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin") };

        // Act
        var (shift, start) = ShiftWindow.Current(new DateTimeOffset(2026, 7, 1, 6, 30, 0, TimeSpan.Zero), options);

        // Assert
        Assert.Equal("Early", shift.Name);
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 4, 0, 0, TimeSpan.Zero), start.ToUniversalTime());
    }
}

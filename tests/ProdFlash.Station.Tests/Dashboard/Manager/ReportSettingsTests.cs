using ProdFlash.Data.Reports;
using ProdFlash.Station.Dashboard;

namespace ProdFlash.Station.Tests.Dashboard.Manager;

public sealed class ReportSettingsTests
{
    [Fact]
    public void ToOptions_Nothing_KeepsUtcAndTheThreeDefaultShifts()
    {
        // Act
        var options = new ReportSettings().ToOptions();

        // Assert
        Assert.Equal(TimeZoneInfo.Utc, options.TimeZone);
        Assert.Equal([new("Early", 6), new("Late", 14), new("Night", 22)], options.Shifts);
    }

    [Fact]
    public void ToOptions_ZoneAndShifts_AreUsed()
    {
        // Arrange
        var settings = new ReportSettings
        {
            TimeZone = "Europe/Berlin",
            Shifts = [new() { Name = "Day", Start = "07:00" }, new() { Name = "Night", Start = "19:00" }],
        };

        // Act
        var options = settings.ToOptions();

        // Assert
        Assert.Equal("Europe/Berlin", options.TimeZone.Id);
        Assert.Equal([new ShiftDefinition("Day", 7), new ShiftDefinition("Night", 19)], options.Shifts);
    }

    [Theory]
    [InlineData("Mars/Olympus", "06:00", "Day", "Reports:TimeZone")]
    [InlineData(null, "06:30", "Day", "Reports:Shifts:0:Start")]
    [InlineData(null, "six", "Day", "Reports:Shifts:0:Start")]
    [InlineData(null, "06:00", " ", "Reports:Shifts:0:Name")]
    public void Validate_BadSection_FailsNamingTheKey(string? zone, string start, string name, string key)
    {
        // Arrange
        var settings = new ReportSettings { TimeZone = zone, Shifts = [new() { Name = name, Start = start }] };

        // Act
        var result = new ReportSettingsValidator().Validate(null, settings);

        // Assert
        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ToOptions_RepeatedStart_Throws()
    {
        var settings = new ReportSettings { Shifts = [new() { Name = "A", Start = "06:00" }, new() { Name = "B", Start = "6:00" }] };

        var ex = Assert.Throws<ReportSettingsException>(settings.ToOptions);

        Assert.Contains("repeats", ex.Message, StringComparison.Ordinal);
    }
}

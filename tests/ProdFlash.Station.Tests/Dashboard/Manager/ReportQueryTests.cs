using ProdFlash.Core.Diagnostics;
using ProdFlash.Data.Entities;
using ProdFlash.Data.Reports;
using ProdFlash.Station.Dashboard;

namespace ProdFlash.Station.Tests.Dashboard.Manager;

public sealed class ReportQueryTests
{
    private static readonly ReportQuery s_full = new()
    {
        From = new DateOnly(2026, 3, 2),
        To = new DateOnly(2026, 3, 8),
        StationId = 1,
        FixtureId = 2,
        SlotId = 3,
        RecipeId = 4,
        Shift = "Late",
        State = AttemptState.Failed,
        FailureCode = FailureCode.TargetNotPowered,
        Search = "SN-00 12",
        Page = 3,
    };

    [Fact]
    public void Parse_OfToQueryString_GivesTheSameFilter()
    {
        // Act
        var text = s_full.ToQueryString();
        var back = ReportQuery.Parse("http://station/reports" + text);

        // Assert
        Assert.Equal(s_full, back);
        Assert.Equal("?from=2026-03-02&to=2026-03-08&stationId=1&fixtureId=2&slotId=3&recipeId=4&shift=Late&state=Failed&failureCode=TargetNotPowered&search=SN-00%2012&page=3", text);
    }

    [Fact]
    public void ToQueryString_NothingSet_IsEmpty()
    {
        Assert.Equal(string.Empty, new ReportQuery().ToQueryString());
        Assert.Equal(new ReportQuery(), ReportQuery.Parse("/reports"));
    }

    [Fact]
    public void Parse_ValuesThatDoNotParse_AreLeftOut()
    {
        // Act
        var query = ReportQuery.Parse("?from=yesterday&to=2026-02-30&stationId=-1&fixtureId=x&state=7&failureCode=Nope&page=0&shift=%20");

        // Assert
        Assert.Equal(new ReportQuery(), query);
    }

    [Fact]
    public void ToFilter_LocalDays_RunFromLocalMidnightToTheNextInclusive()
    {
        // Arrange: Berlin is UTC+1 in March before the DST change (2026-03-29).
        var options = new ReportOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin") };

        // Act
        var filter = (s_full with { Shift = null }).ToFilter(options);

        // Assert
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 23, 0, 0, TimeSpan.Zero), filter.From);
        Assert.Equal(new DateTimeOffset(2026, 3, 8, 23, 0, 0, TimeSpan.Zero), filter.To);
        Assert.Equal((1, 2, 3, 4), (filter.StationId, filter.FixtureId, filter.SlotId, filter.RecipeId));
        Assert.Equal((AttemptState.Failed, FailureCode.TargetNotPowered, "SN-00 12"), (filter.State, filter.FailureCode, filter.Search));
        Assert.Null(filter.Shift);
    }

    [Fact]
    public void ToFilter_Shift_RunsOverShiftDaysFromTheFirstShiftStart()
    {
        // Arrange: Berlin (UTC+1 in March), shifts Early 06, Late 14, Night 22; "late" in any case names Late.
        var options = new ReportOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin") };

        // Act
        var filter = (s_full with { Shift = "late" }).ToFilter(options);
        var unknown = (s_full with { Shift = "Weekend" }).ToFilter(options);

        // Assert: 06:00 local on the first day to 06:00 local after the last; an unknown shift is left out.
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 5, 0, 0, TimeSpan.Zero), filter.From);
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 5, 0, 0, TimeSpan.Zero), filter.To);
        Assert.Equal("Late", filter.Shift);
        Assert.Null(unknown.Shift);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 23, 0, 0, TimeSpan.Zero), unknown.From);
    }

    [Fact]
    public void CsvHref_NamesTheExportWithTheFiltersInstantsAndShift()
    {
        // Act
        var href = new ReportQuery { From = new DateOnly(2026, 3, 2), To = new DateOnly(2026, 3, 2), StationId = 5, Shift = "Early", Page = 2 }.CsvHref(new ReportOptions());

        // Assert: the page is not an attempt filter of the API; instants carry their offset ('+' escaped); the shift day starts at 06:00.
        Assert.Equal("/api/attempts/export.csv?from=2026-03-02T06%3A00%3A00.0000000%2B00%3A00&to=2026-03-03T06%3A00%3A00.0000000%2B00%3A00&stationId=5&shift=Early", href);
    }

    [Fact]
    public void WithDefaultRange_NoRange_CoversTheLastSevenDays()
    {
        // Act
        var query = new ReportQuery { StationId = 1 }.WithDefaultRange(new DateOnly(2026, 3, 8));
        var kept = s_full.WithDefaultRange(new DateOnly(2030, 1, 1));

        // Assert
        Assert.Equal((new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 8), 1), (query.From, query.To, query.StationId));
        Assert.Same(s_full, kept);
    }
}

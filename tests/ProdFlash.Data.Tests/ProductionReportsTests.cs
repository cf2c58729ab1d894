using ProdFlash.Core.Diagnostics;
using ProdFlash.Data.Entities;
using ProdFlash.Data.Reports;

namespace ProdFlash.Data.Tests;

/// <summary>
/// The hand-built day (UTC; shifts Early 06–14, Late 14–22, Night 22–06):
/// <list type="table">
/// <item>u1: ST01 slot 1, Widget, 03-02 07:00, Passed, serial SN-000001</item>
/// <item>u2: ST01 slot 2, Widget, 03-02 07:10, Failed VerifyMismatch; 07:20 Passed on its second attempt, serial SN-000002</item>
/// <item>u3: ST02 slot 1, Gadget, 03-02 15:00, Failed TargetNotPowered</item>
/// <item>u4: ST02 slot 1, Gadget, 03-02 23:30, Failed TargetNotPowered</item>
/// <item>u5: ST01 slot 1, Widget, 03-03 05:00, Failed NoSwdResponse (Night shift of 03-02)</item>
/// <item>no UID: ST01 slot 1, Widget, 03-03 10:00, Failed ProbeNotFound</item>
/// </list>
/// 7 attempts, 2 passed, 5 failed; 6 units (first attempts); 1 unit passed first time.
/// </summary>
public sealed class ProductionReportsTests : IAsyncLifetime
{
    private const string U2 = "22222222222222222222AAAA";
    private static readonly DateTimeOffset s_day = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    private TestStore _store = null!;
    private ProductionReports _reports = null!;
    private AttemptFilter _all = null!;

    public async ValueTask InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        _reports = new ProductionReports(_store.Database);
        _all = new AttemptFilter { From = s_day, To = s_day.AddDays(2) };
        await _store.RecordAsync(0, _store.RecipeA, s_day.AddHours(7), "11111111111111111111AAAA", AttemptState.Passed, serialize: true);
        await _store.RecordAsync(1, _store.RecipeA, s_day.AddHours(7).AddMinutes(10), U2, AttemptState.Failed, FailureCode.VerifyMismatch);
        await _store.RecordAsync(1, _store.RecipeA, s_day.AddHours(7).AddMinutes(20), U2, AttemptState.Passed, serialize: true);
        await _store.RecordAsync(2, _store.RecipeB, s_day.AddHours(15), "33333333333333333333AAAA", AttemptState.Failed, FailureCode.TargetNotPowered);
        await _store.RecordAsync(2, _store.RecipeB, s_day.AddHours(23).AddMinutes(30), "44444444444444444444AAAA", AttemptState.Failed, FailureCode.TargetNotPowered);
        await _store.RecordAsync(0, _store.RecipeA, s_day.AddHours(29), "55555555555555555555AAAA", AttemptState.Failed, FailureCode.NoSwdResponse);
        await _store.RecordAsync(0, _store.RecipeA, s_day.AddHours(34), null, AttemptState.Failed, FailureCode.ProbeNotFound);

        // A Running attempt is not counted anywhere in yield.
        var run = await _store.Recorder.StartRunAsync(_store.Fixtures[0], _store.RecipeA, "alice", cancellationToken: TestContext.Current.CancellationToken);
        _store.Clock.SetUtcNow(s_day.AddHours(35));
        await _store.Recorder.StartAttemptAsync(run, _store.Slots[0], null, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task YieldAsync_Total_CountsUnitsAndFirstPass()
    {
        // Act
        var row = Assert.Single(await _reports.YieldAsync(_all, YieldDimension.Total, cancellationToken: TestContext.Current.CancellationToken));

        // Assert
        Assert.Equal((7, 2, 5, 6, 1), (row.Attempts, row.Passed, row.Failed, row.Units, row.FirstPassPassed));
        Assert.Equal(2.0 / 6, row.Yield, 12);
        Assert.Equal(1.0 / 6, row.FirstPassYield, 12);
        Assert.Equal(2.0 / 7, row.AttemptYield, 12);
    }

    [Fact]
    public async Task YieldAsync_ByStation_SplitsPerStationWithNames()
    {
        // Act
        var rows = await _reports.YieldAsync(_all, YieldDimension.Station, cancellationToken: TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(
            [("ST01", 5, 2, 4, 1), ("ST02", 2, 0, 2, 0)],
            rows.Select(r => (r.KeyName, r.Attempts, r.Passed, r.Units, r.FirstPassPassed)));
        Assert.Equal(0.25, rows[0].FirstPassYield, 12);
    }

    [Fact]
    public async Task YieldAsync_BySlotAndRecipe_NamesAndCounts()
    {
        // Act
        var slots = await _reports.YieldAsync(_all, YieldDimension.Slot, cancellationToken: TestContext.Current.CancellationToken);
        var recipes = await _reports.YieldAsync(_all, YieldDimension.Recipe, cancellationToken: TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal([("ST01/F1/1", 3), ("ST01/F1/2", 2), ("ST02/F1/1", 2)], slots.Select(r => (r.KeyName, r.Attempts)));
        Assert.Equal([("Gadget 2.1", 2, 0), ("Widget 1.0", 5, 2)], recipes.Select(r => (r.KeyName, r.Attempts, r.Passed)));
    }

    [Fact]
    public async Task YieldAsync_ByDay_BucketsInUtc()
    {
        // Act
        var rows = await _reports.YieldAsync(_all, YieldDimension.Total, TimeBucket.Day, TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(
            [(new DateOnly(2026, 3, 2), 5, 2), (new DateOnly(2026, 3, 3), 2, 0)],
            rows.Select(r => (r.Day!.Value, r.Attempts, r.Passed)));
    }

    [Fact]
    public async Task YieldAsync_ByShift_NightShiftSpansMidnight()
    {
        // Act
        var rows = await _reports.YieldAsync(_all, YieldDimension.Total, TimeBucket.Shift, TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(
            [
                (new DateOnly(2026, 3, 2), "Early", 3),
                (new DateOnly(2026, 3, 2), "Late", 1),
                (new DateOnly(2026, 3, 2), "Night", 2),
                (new DateOnly(2026, 3, 3), "Early", 1),
            ],
            rows.Select(r => (r.Day!.Value, r.Shift!, r.Attempts)));
    }

    [Fact]
    public async Task YieldAsync_ByDayInPlantTimeZone_ShiftsTheDayBoundary()
    {
        // Arrange: a plant 6 hours east of UTC: 03-02 23:30 UTC and 03-03 05:00 UTC fall on local 03-03.
        var reports = new ProductionReports(_store.Database, new ReportOptions { TimeZone = TimeZoneInfo.CreateCustomTimeZone("UTC+6", TimeSpan.FromHours(6), "UTC+6", "UTC+6") });

        // Act
        var rows = await reports.YieldAsync(_all, YieldDimension.Total, TimeBucket.Day, TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal([(new DateOnly(2026, 3, 2), 4), (new DateOnly(2026, 3, 3), 3)], rows.Select(r => (r.Day!.Value, r.Attempts)));
    }

    [Fact]
    public async Task YieldAsync_ByShiftAcrossDstChange_HourlyRollUpAgreesWithSqlBuckets()
    {
        // Arrange: Central European time (UTC+1, DST from the last Sunday of March). A range over the change is rolled
        // up per UTC hour in .NET; a fixed UTC+1 zone over the same range is bucketed in SQL. Both must agree.
        var rule = TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(
            DateTime.MinValue.Date, DateTime.MaxValue.Date, TimeSpan.FromHours(1),
            TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 3, 5, DayOfWeek.Sunday),
            TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 3, 0, 0), 10, 5, DayOfWeek.Sunday));
        var cet = TimeZoneInfo.CreateCustomTimeZone("CET-test", TimeSpan.FromHours(1), "CET", "CET", "CEST", [rule]);
        var fixedPlusOne = TimeZoneInfo.CreateCustomTimeZone("UTC+1", TimeSpan.FromHours(1), "UTC+1", "UTC+1");
        var acrossDst = new AttemptFilter { From = s_day.AddDays(-1), To = s_day.AddDays(40) };
        var ct = TestContext.Current.CancellationToken;

        // Act
        var hourly = await new ProductionReports(_store.Database, new ReportOptions { TimeZone = cet }).YieldAsync(acrossDst, YieldDimension.Total, TimeBucket.Shift, ct);
        var sql = await new ProductionReports(_store.Database, new ReportOptions { TimeZone = fixedPlusOne }).YieldAsync(acrossDst, YieldDimension.Total, TimeBucket.Shift, ct);

        // Assert: local 08:00, 08:10, 08:20 Early; 16:00 Late; 00:30 (03-03) Night of 03-02; 06:00 and 11:00 Early of 03-03.
        (DateOnly, string, int)[] expected =
        [
            (new DateOnly(2026, 3, 2), "Early", 3),
            (new DateOnly(2026, 3, 2), "Late", 1),
            (new DateOnly(2026, 3, 2), "Night", 1),
            (new DateOnly(2026, 3, 3), "Early", 2),
        ];
        Assert.Equal(expected, hourly.Select(r => (r.Day!.Value, r.Shift!, r.Attempts)));
        Assert.Equal(expected, sql.Select(r => (r.Day!.Value, r.Shift!, r.Attempts)));
    }

    [Fact]
    public async Task ShiftFilter_ConstantOffsetAndAcrossDst_SelectTheSameAttemptsEverywhere()
    {
        // Arrange: the zones of the test above; in local time Early holds 08:00, 08:10, 08:20 (03-02), 06:00 and 11:00 (03-03),
        // and the Running attempt of 12:00 (03-03), which lists and exports show and yield leaves out.
        var rule = TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(
            DateTime.MinValue.Date, DateTime.MaxValue.Date, TimeSpan.FromHours(1),
            TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 3, 5, DayOfWeek.Sunday),
            TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 3, 0, 0), 10, 5, DayOfWeek.Sunday));
        var cet = new ProductionReports(_store.Database, new ReportOptions { TimeZone = TimeZoneInfo.CreateCustomTimeZone("CET-test", TimeSpan.FromHours(1), "CET", "CET", "CEST", [rule]) });
        var fixedPlusOne = new ProductionReports(_store.Database, new ReportOptions { TimeZone = TimeZoneInfo.CreateCustomTimeZone("UTC+1", TimeSpan.FromHours(1), "UTC+1", "UTC+1") });
        var early = new AttemptFilter { From = s_day.AddDays(-1), To = s_day.AddDays(40), Shift = "early" };
        var ct = TestContext.Current.CancellationToken;

        // Act
        var hourly = await cet.PageAsync(early, 1, 50, ct);
        var sql = await fixedPlusOne.PageAsync(early, 1, 50, ct);
        var yield = Assert.Single(await cet.YieldAsync(early, YieldDimension.Total, cancellationToken: ct));
        var pareto = await fixedPlusOne.FailureParetoAsync(early, ct);
        using var csv = new StringWriter();
        var exported = await cet.ExportCsvAsync(early, csv, ct);

        // Assert
        Assert.Equal(6, hourly.Items.Count);
        Assert.Equal(hourly.Items.Select(a => a.Id), sql.Items.Select(a => a.Id));
        Assert.All(hourly.Items, a => Assert.InRange(TimeZoneInfo.ConvertTime(a.StartedAt, TimeZoneInfo.CreateCustomTimeZone("x", TimeSpan.FromHours(1), "x", "x")).Hour, 6, 13));
        Assert.Equal((5, 2, 3), (yield.Attempts, yield.Passed, yield.Failed));
        Assert.Equal([FailureCode.NoSwdResponse, FailureCode.ProbeNotFound, FailureCode.VerifyMismatch], pareto.Select(p => p.Code));
        Assert.Equal(6, exported);
    }

    [Fact]
    public async Task ShiftFilter_NightInUtc_RunsPastMidnight_AndAnUnknownShiftIsRefused()
    {
        // Arrange: UTC; Night is 22:00-06:00: u4 at 23:30 and u5 at 05:00 the next day.
        var ct = TestContext.Current.CancellationToken;

        // Act
        var night = await _reports.PageAsync(_all with { Shift = "Night" }, 1, 50, ct);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _reports.PageAsync(_all with { Shift = "Weekend" }, 1, 50, ct));

        // Assert
        Assert.Equal(["55555555555555555555AAAA", "44444444444444444444AAAA"], night.Items.Select(a => a.McuUid));
        Assert.Equal(["F1", "F1"], night.Items.Select(a => a.Fixture));
        Assert.Contains("Early, Late, Night", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailureParetoAsync_Range_OrdersByCountThenName()
    {
        // Act
        var rows = await _reports.FailureParetoAsync(_all, TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(
            [(FailureCode.TargetNotPowered, 2), (FailureCode.NoSwdResponse, 1), (FailureCode.ProbeNotFound, 1), (FailureCode.VerifyMismatch, 1)],
            rows.Select(r => (r.Code, r.Count)));
        Assert.Equal([0.4, 0.6, 0.8, 1.0], rows.Select(r => Math.Round(r.CumulativeShare, 12)));
    }

    [Fact]
    public async Task FailureParetoAsync_FirstDayOnly_LeavesOtherDaysOut()
    {
        // Act
        var rows = await _reports.FailureParetoAsync(new AttemptFilter { From = s_day, To = s_day.AddDays(1) }, TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal([(FailureCode.TargetNotPowered, 2), (FailureCode.VerifyMismatch, 1)], rows.Select(r => (r.Code, r.Count)));
    }

    [Fact]
    public async Task FindUnitBySerialAsync_UnitPassedOnSecondAttempt_ReturnsBothAttempts()
    {
        // Act
        var unit = await _reports.FindUnitBySerialAsync("SN-000002", TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal([U2], unit.McuUids);
        Assert.Equal(["SN-000002"], unit.Serials);
        Assert.Equal([AttemptState.Failed, AttemptState.Passed], unit.Attempts.Select(a => a.State));
        Assert.Equal(["ST01", "ST01"], unit.Attempts.Select(a => a.Station));
    }

    [Fact]
    public async Task FindUnitByUidAsync_LowerCaseUid_ReturnsEveryAttempt()
    {
        // Act
        var unit = await _reports.FindUnitByUidAsync(U2.ToLowerInvariant(), TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(2, unit.Attempts.Count);
        Assert.Equal(FailureCode.VerifyMismatch, unit.Attempts[0].FailureCode);
    }

    [Fact]
    public async Task PageAsync_FailedPageSize2_PagesNewestFirst()
    {
        // Arrange
        var failed = _all with { State = AttemptState.Failed };

        // Act
        var page1 = await _reports.PageAsync(failed, 1, 2, TestContext.Current.CancellationToken);
        var page3 = await _reports.PageAsync(failed, 3, 2, TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal([FailureCode.ProbeNotFound, FailureCode.NoSwdResponse], page1.Items.Select(a => a.FailureCode!.Value));
        Assert.NotNull(page1.Next);
        Assert.Equal([FailureCode.VerifyMismatch], page3.Items.Select(a => a.FailureCode!.Value));
        Assert.Null(page3.Next);
    }

    [Fact]
    public async Task PageAfterAsync_WalkingCursors_MatchesOffsetPages()
    {
        // Arrange
        var failed = _all with { State = AttemptState.Failed };
        var offset = new List<long>();
        for (var n = 1; n <= 3; n++)
        {
            offset.AddRange((await _reports.PageAsync(failed, n, 2, TestContext.Current.CancellationToken)).Items.Select(a => a.Id));
        }

        // Act
        var keyset = new List<long>();
        AttemptCursor? cursor = null;
        do
        {
            var page = await _reports.PageAfterAsync(failed, cursor, 2, TestContext.Current.CancellationToken);
            keyset.AddRange(page.Items.Select(a => a.Id));
            cursor = page.Next;
        }
        while (cursor is not null);

        // Assert
        Assert.Equal(5, keyset.Count);
        Assert.Equal(offset, keyset);
    }

    [Fact]
    public async Task PageAsync_Filters_SelectTheRightAttempts()
    {
        // Act
        var ct = TestContext.Current.CancellationToken;
        var station2 = await _reports.PageAsync(_all with { StationId = _store.Station2 }, 1, 50, ct);
        var notPowered = await _reports.PageAsync(_all with { FailureCode = FailureCode.TargetNotPowered }, 1, 50, ct);
        var slot2 = await _reports.PageAsync(_all with { SlotId = _store.Slots[1] }, 1, 50, ct);
        var search = await _reports.PageAsync(_all with { Search = "SN-000001" }, 1, 50, ct);
        var uidSearch = await _reports.PageAsync(_all with { Search = "5555aaaa" }, 1, 50, ct);
        var running = await _reports.PageAsync(new AttemptFilter { State = AttemptState.Running }, 1, 50, ct);

        // Assert
        Assert.Equal(2, station2.Items.Count);
        Assert.All(notPowered.Items, a => Assert.Equal("Gadget", a.Recipe));
        Assert.Equal(2, notPowered.Items.Count);
        Assert.Equal([2, 2], slot2.Items.Select(a => a.SlotPosition));
        Assert.Equal("11111111111111111111AAAA", Assert.Single(search.Items).McuUid);
        Assert.Equal(FailureCode.NoSwdResponse, Assert.Single(uidSearch.Items).FailureCode);
        Assert.Single(running.Items);
    }

    [Fact]
    public async Task PageAsync_PageSizeOverMaximum_Throws()
    {
        // Act / Assert
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _reports.PageAsync(_all, 1, ProductionReports.MaxPageSize + 1, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ExportCsvAsync_Range_WritesHeaderAndOneRowPerAttemptOldestFirst()
    {
        // Arrange
        using var text = new StringWriter();

        // Act
        var count = await _reports.ExportCsvAsync(_all, text, TestContext.Current.CancellationToken);

        // Assert
        var lines = text.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(8, count); // the seven finished attempts and the Running one
        Assert.Equal(9, lines.Length);
        Assert.Equal(string.Join(',', ProductionReports.CsvHeader), lines[0]);
        var first = lines[1].Split(',');
        Assert.Equal(ProductionReports.CsvHeader.Count, first.Length);
        Assert.Equal(("2026-03-02T07:00:00.0000000+00:00", "ST01", "Widget", "Passed", "SN-000001", "11111111111111111111AAAA"), (first[1], first[3], first[6], first[9], first[11], first[12]));
        var last = lines[7].Split(',');
        Assert.Equal(("Failed", "ProbeNotFound", string.Empty), (last[9], last[10], last[12]));
        Assert.Equal(("Running", string.Empty), (lines[8].Split(',')[9], lines[8].Split(',')[2]));
    }

    [Fact]
    public void Constructor_ShiftHourOutOfRange_ThrowsStationDataException()
    {
        // Act / Assert
        var error = Assert.Throws<StationDataException>(() => new ProductionReports(_store.Database, new ReportOptions { Shifts = [new ShiftDefinition("Day", 24)] }));
        Assert.Contains("0-23", error.Message, StringComparison.Ordinal);
    }
}

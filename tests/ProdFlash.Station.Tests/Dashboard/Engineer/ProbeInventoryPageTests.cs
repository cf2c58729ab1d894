using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

using Bunit;

using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using MudBlazor.Services;

using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Data.Inventory;
using ProdFlash.Data.Reports;
using ProdFlash.Station.Components.Layout;
using ProdFlash.Station.Runtime;
using ProdFlash.Station.Security;
using ProdFlash.Station.Tests.Dashboard.Manager;

using InventoryPage = ProdFlash.Station.Components.Pages.ProbeInventory;
using TestContext = Xunit.TestContext;

namespace ProdFlash.Station.Tests.Dashboard.Engineer;

/// <summary>
/// <c>/engineering/probes</c> over a real station host (<see cref="StationAppFactory"/>: SQLite, slot runners, emulated
/// probes): what the station records when it binds its slots and when attempts finish, as the page shows it.
/// </summary>
public sealed partial class ProbeInventoryPageTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Render_AfterARunOfTheDemoFaultSlots_ShowsVoltagesCountsAndTheCloneAnomaly()
    {
        // Arrange: demo fixture F2's first three slots (a good V2.1, no VCC, the clone probe) and a V2 on old firmware J17.
        var ct = TestContext.Current.CancellationToken;
        using var data = new ProdFlash.Testing.TempDirectory();
        var settings = StationAppFactory.DefaultSettings(data.Path, slots: 0);
        settings["Station:Fixtures:0:Name"] = "F2";
        string[] selectors =
        [
            "emulator://stm32f103c8?probe=v21j40",
            "emulator://stm32f103c8?probe=v2j37&faults=no-vcc",
            "emulator://stm32f103c8?probe=clone",
            "emulator://stm32f103c8?probe=v2j17",
        ];
        for (var i = 0; i < selectors.Length; i++)
        {
            settings[$"Station:Fixtures:0:Slots:{i}:Probe"] = selectors[i];
        }

        using var factory = new StationAppFactory(settings);
        _ = factory.Server;
        var runtime = factory.Services.GetRequiredService<StationRuntime>();
        var runners = runtime.Fixtures["F2"];

        // Act: two runs through the station's own coordinator, runners, engine and recorder.
        for (var run = 0; run < 2; run++)
        {
            await (await runners.StartAsync("operator", null, ct)).Completion.WaitAsync(ct);
        }

        await using var bunit = new BunitContext();
        bunit.JSInterop.Mode = JSRuntimeMode.Loose;
        bunit.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        bunit.Services.AddSingleton(factory.Services.GetRequiredService<ProbeInventory>());
        bunit.Services.AddSingleton(factory.Services.GetRequiredService<ReportOptions>());
        bunit.AddAuthorization().SetAuthorized("engineer");
        var page = bunit.Render<InventoryPage>();
        page.WaitForElement("[data-testid=probes-table]", Wait);

        // Assert
        var database = factory.Services.GetRequiredService<StationDatabase>();
        await using var context = database.CreateContext();
        var attempts = await context.Attempts.AsNoTracking().Include(a => a.Slot).ToListAsync(ct);
        var rows = page.FindAll("[data-testid=probe-row]");
        Assert.Equal(4, rows.Count);
        string Cell(int position, string id)
        {
            var serial = attempts.First(a => a.Slot!.Position == position).ProbeSerial!;
            var row = Assert.Single(rows, r => r.GetAttribute("data-serial") == serial);
            return row.QuerySelector($"[data-testid={id}]")!.TextContent.Trim();
        }

        // The good slot: the voltage its last power phase measured (the same figure the attempt's phase log holds), 2 of 2 passed.
        var good = attempts.Where(a => a.Slot!.Position == 1).OrderBy(a => a.Id).Last();
        Assert.Equal(AttemptState.Passed, good.State);
        var vtarget = PhaseLog.Deserialize(good.Phases!).Single(p => p.Phase == Core.Diagnostics.AttemptPhase.Power).Measurements!["vtarget"];
        Assert.Matches(VoltsNearNominal(), Cell(1, "probe-voltage"));
        Assert.Equal(vtarget + " V", Cell(1, "probe-voltage"));
        Assert.Equal(("2", "0"), (Cell(1, "probe-attempts"), Cell(1, "probe-failed")));
        Assert.Equal("TEST-ST01/F2/1", Cell(1, "probe-slot"));

        // No VCC: it measured 0 V and failed twice.
        Assert.Equal("0.00 V", Cell(2, "probe-voltage"));
        Assert.Equal(("2", "2"), (Cell(2, "probe-attempts"), Cell(2, "probe-failed")));

        // The clone: refused in the Probe phase before any power check, flagged at binding.
        Assert.Equal("—", Cell(3, "probe-voltage"));
        Assert.Equal(("2", "2"), (Cell(3, "probe-attempts"), Cell(3, "probe-failed")));
        Assert.Contains("Suspected clone", Cell(3, "probe-anomalies"), StringComparison.Ordinal);
        Assert.Contains("binary serial", Cell(3, "probe-anomalies"), StringComparison.Ordinal);
        Assert.Contains("none", Cell(1, "probe-anomalies"), StringComparison.Ordinal);

        // Old firmware is an anomaly too; firmware names come from the probes themselves.
        Assert.Contains("firmware V2J17", Cell(4, "probe-anomalies"), StringComparison.Ordinal);
        Assert.Contains("too old", Cell(4, "probe-anomalies"), StringComparison.Ordinal);
        Assert.StartsWith("V2J17", Cell(4, "probe-firmware"), StringComparison.Ordinal);
        Assert.StartsWith("V2J40", Cell(1, "probe-firmware"), StringComparison.Ordinal);

        // Emulated probes sit on no USB port.
        Assert.Equal("—", Cell(1, "probe-port"));
    }

    [Fact]
    public async Task RecordBindingAsync_ProbeMovedOrGone_RebindsAndUnbindsKeepingCounts()
    {
        // Arrange: the manager seed's store (ST01/F1/1, ST01/F1/2, ST02/F1/1); its attempts counted 7 on probe 066DFF...01.
        await using var seed = await ManagerSeed.CreateAsync();
        var inventory = new ProbeInventory(seed.Database, seed.Clock);
        var ct = TestContext.Current.CancellationToken;
        int[] station1 = [seed.Slots[0], seed.Slots[1]];
        await inventory.RecordBindingAsync(station1,
        [
            new ProbeSighting("066DFF000000000000000001", "ST-LINK/V2", "V2J37S7", "1-4.2", false, [], seed.Slots[0]),
            new ProbeSighting("AAAA", "ST-LINK/V3", "V3J9M3", "1-4.3", false, ["firmware old"], seed.Slots[1]),
        ], ct);
        await inventory.RecordBindingAsync([seed.Slots[2]], [new ProbeSighting("BBBB", "ST-LINK/V3", "V3J9M3", null, false, [], seed.Slots[2])], ct);

        // Act: station 1 restarts with probe AAAA gone and the first probe moved to slot 2.
        await inventory.RecordBindingAsync(station1, [new ProbeSighting("066DFF000000000000000001", "ST-LINK/V2", "V2J37S7", "1-4.4", false, [], seed.Slots[1])], ct);
        var probes = await inventory.ListAsync(ct);

        // Assert: bound ones first by slot; station 2's binding untouched; the counts the recorder wrote stay.
        Assert.Equal(["066DFF000000000000000001", "BBBB", "AAAA"], probes.Select(p => p.Serial));
        Assert.Equal(("ST01/F1/2", "1-4.4", 7L, 5L), (probes[0].BoundSlot, probes[0].PortPath, probes[0].AttemptCount, probes[0].FailedCount));
        Assert.Equal("ST02/F1/1", probes[1].BoundSlot);
        Assert.Null(probes[2].BoundSlot);
        Assert.Equal(["firmware old"], probes[2].Anomalies);
    }

    [Theory]
    [InlineData(UserRole.Engineer, true)]
    [InlineData(UserRole.Admin, true)]
    [InlineData(UserRole.Manager, false)]
    [InlineData(UserRole.Operator, false)]
    public async Task NavMenu_Role_ShowsProbeInventoryAndAuditLogOnlyToEngineers(UserRole role, bool visible)
    {
        // Arrange
        await using var host = await ManagerPageHost.CreateAsync(role);

        // Act
        var menu = host.Context.Render<NavMenu>();

        // Assert
        Assert.Equal(visible, menu.FindAll("[data-testid=nav-engineer-probes]").Count == 1);
        Assert.Equal(visible, menu.FindAll("[data-testid=nav-engineer-audit]").Count == 1);
    }

    [Fact]
    public void Pages_NameTheEngineerPolicy()
    {
        Assert.Equal(StationPolicies.Engineer, typeof(InventoryPage).GetCustomAttribute<AuthorizeAttribute>()?.Policy);
        Assert.Equal(StationPolicies.Engineer, typeof(Components.Pages.AuditLog).GetCustomAttribute<AuthorizeAttribute>()?.Policy);
        Assert.Equal("/engineering/probes", typeof(InventoryPage).GetCustomAttribute<Microsoft.AspNetCore.Components.RouteAttribute>()?.Template);
        Assert.Equal("/engineering/audit", typeof(Components.Pages.AuditLog).GetCustomAttribute<Microsoft.AspNetCore.Components.RouteAttribute>()?.Template);
    }

    [GeneratedRegex(@"^3\.[2-4][0-9] V$", RegexOptions.CultureInvariant)]
    private static partial Regex VoltsNearNominal();
}

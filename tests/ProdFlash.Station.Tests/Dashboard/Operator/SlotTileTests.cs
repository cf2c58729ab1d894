using Bunit;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Station.Components.Operator;

namespace ProdFlash.Station.Tests.Dashboard.Operator;

public sealed class SlotTileTests : BunitContext
{
    private const string Probe = "emulator://stm32f103c8?probe=v2j37";

    public static TheoryData<string, string, string> States => new()
    {
        { "idle", "Idle", "radio-button-unchecked" },
        { "running", "Running", "autorenew" },
        { "pass", "PASS", "check-circle" },
        { "fail", "FAIL", "cancel" },
        { "aborted", "Aborted", "stop-circle" },
        { "disabled", "Disabled", "block" },
    };

    [Theory]
    [MemberData(nameof(States))]
    public void Render_EachState_NamesItByWordIconAndDataState(string state, string word, string icon)
    {
        // Arrange
        var slot = Slot(state);

        // Act
        var cut = Render<SlotTile>(p => p.Add(t => t.Slot, slot));

        // Assert
        var tile = cut.Find("[data-testid=slot-tile-3]");
        Assert.Equal(word, tile.GetAttribute("data-state"));
        Assert.Contains("slot-tile--" + state, tile.ClassList);
        Assert.Equal(word, cut.Find(".slot-tile__word").TextContent);
        var svg = cut.Find("svg.slot-tile__icon");
        Assert.Equal(icon, svg.GetAttribute("data-icon"));
        Assert.NotEmpty(svg.InnerHtml);
        Assert.Equal($"Slot 3: {word}", tile.GetAttribute("aria-label"));
    }

    [Fact]
    public void Render_Running_ShowsPhaseAndProgressBar()
    {
        // Arrange
        var slot = new SlotStatus(3, Probe, SlotState.Running, null, "OptionBytes", 0.437, null);

        // Act
        var cut = Render<SlotTile>(p => p.Add(t => t.Slot, slot));

        // Assert
        Assert.Equal("Option bytes", cut.Find("[data-testid=slot-phase]").TextContent);
        var bar = cut.Find("[data-testid=slot-progress]");
        Assert.Equal("44", bar.GetAttribute("aria-valuenow"));
        Assert.Contains("width:44%", cut.Find(".slot-tile__bar-fill").GetAttribute("style"), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Pass_ShowsSerialAndMcuUid()
    {
        // Arrange
        var slot = new SlotStatus(3, Probe, SlotState.Idle, null, null, 0,
            new SlotResult(17, true, null, "Passed", null, "SN-000017", "34FF6E06 4D4E3437 12345678"));

        // Act
        var cut = Render<SlotTile>(p => p.Add(t => t.Slot, slot));

        // Assert
        Assert.Equal("SN-000017", cut.Find("[data-testid=slot-serial]").TextContent);
        Assert.Equal("34FF6E06 4D4E3437 12345678", cut.Find("[data-testid=slot-uid]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=slot-title]"));
    }

    [Theory]
    [InlineData(FailureCode.TargetNotPowered)]
    [InlineData(FailureCode.ProbeSuspectClone)]
    [InlineData(FailureCode.CounterfeitDevice)]
    public void Render_Fail_ShowsTheFailuresOperatorTitleAndFirstRemedy(FailureCode code)
    {
        // Arrange: what the slot runner puts in the status for a failed attempt.
        var info = FailureCatalog.Get(code);
        var slot = new SlotStatus(3, Probe, SlotState.Idle, null, null, 0, new SlotResult(9, false, code, info.Title, info.Remedies[0].Text, null));

        // Act
        var cut = Render<SlotTile>(p => p.Add(t => t.Slot, slot));

        // Assert
        Assert.Equal("FAIL", cut.Find("[data-testid=slot-tile-3]").GetAttribute("data-state"));
        Assert.Equal(info.Title, cut.Find("[data-testid=slot-title]").TextContent);
        Assert.Equal(info.Remedies[0].Text, cut.Find("[data-testid=slot-remedy]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=slot-serial]"));
    }

    [Fact]
    public void Render_Disabled_ShowsTheReason()
    {
        // Arrange
        var slot = new SlotStatus(3, Probe, SlotState.Disabled, "Disabled in configuration.", null, 0, null);

        // Act
        var cut = Render<SlotTile>(p => p.Add(t => t.Slot, slot));

        // Assert
        Assert.Equal("Disabled in configuration.", cut.Find("[data-testid=slot-note]").TextContent);
    }

    [Fact]
    public void Render_SameSnapshotAgain_DoesNotRenderTheTileAgain()
    {
        // Arrange
        var slot = Slot("running");
        var cut = Render<SlotTile>(p => p.Add(t => t.Slot, slot));
        var first = cut.RenderCount;

        // Act
        cut.Render(p => p.Add(t => t.Slot, slot));
        var afterSame = cut.RenderCount;
        cut.Render(p => p.Add(t => t.Slot, slot with { Progress = 0.9 }));

        // Assert
        Assert.Equal(first, afterSame);
        Assert.Equal(first + 1, cut.RenderCount);
        Assert.Equal("90", cut.Find("[data-testid=slot-progress]").GetAttribute("aria-valuenow"));
    }

    private static SlotStatus Slot(string state)
    {
        var notPowered = FailureCatalog.Get(FailureCode.TargetNotPowered);
        return state switch
        {
            "running" => new SlotStatus(3, Probe, SlotState.Running, null, "Program", 0.5, null),
            "pass" => new SlotStatus(3, Probe, SlotState.Idle, null, null, 0, new SlotResult(1, true, null, "Passed", null, "SN-1", "UID-1")),
            "fail" => new SlotStatus(3, Probe, SlotState.Idle, null, null, 0, new SlotResult(2, false, FailureCode.TargetNotPowered, notPowered.Title, notPowered.Remedies[0].Text, null)),
            "aborted" => new SlotStatus(3, Probe, SlotState.Idle, null, null, 0, new SlotResult(3, false, FailureCode.Aborted, FailureCatalog.Get(FailureCode.Aborted).Title, null, null)),
            "disabled" => new SlotStatus(3, Probe, SlotState.Disabled, "Disabled in configuration.", null, 0, null),
            _ => new SlotStatus(3, Probe, SlotState.Idle, null, null, 0, null),
        };
    }
}

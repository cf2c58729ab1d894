namespace ProdFlash.Station.Tests;

public sealed class StatusStoreTests
{
    private static StatusStore NewStore() => new(new StationStatus("ST", 0, false,
    [
        new FixtureStatus("F1", "r.json", null, [new SlotStatus(1, "emulator://stm32f103c8", SlotState.Idle, null, null, 0, null), new SlotStatus(2, "emulator://stm32f103c8?probe=v3j9", SlotState.Idle, null, null, 0, null)]),
    ]));

    [Fact]
    public void UpdateSlot_OneSlot_NewSnapshotWithNextVersionOldSnapshotUnchanged()
    {
        // Arrange
        var store = NewStore();
        var before = store.Current;
        var seen = new List<long>();
        using var subscription = store.Subscribe(s => seen.Add(s.Version));

        // Act
        var after = store.UpdateSlot("F1", 2, s => s with { State = SlotState.Running, Phase = "Program", Progress = 0.5 });

        // Assert
        Assert.Equal(1, after.Version);
        Assert.Equal([1L], seen);
        Assert.Equal(SlotState.Idle, before.Fixtures[0].Slots[1].State);
        Assert.Equal(SlotState.Running, after.Fixtures[0].Slots[1].State);
        Assert.Equal(SlotState.Idle, after.Fixtures[0].Slots[0].State);
        Assert.Same(after, store.Current);
    }

    [Fact]
    public async Task WaitForAsync_ConditionMetByLaterUpdate_CompletesWithThatSnapshot()
    {
        // Arrange
        var store = NewStore();
        var waiting = store.WaitForAsync(s => s.Fixtures[0].RunId == 7, TestContext.Current.CancellationToken);

        // Act
        store.UpdateFixture("F1", f => f with { RunId = 7 });
        var snapshot = await waiting;

        // Assert
        Assert.Equal(7, snapshot.Fixtures[0].RunId);
        Assert.Equal(1, snapshot.Version);
    }

    [Fact]
    public void Subscribe_Disposed_NoMoreCalls()
    {
        // Arrange
        var store = NewStore();
        var calls = 0;
        var subscription = store.Subscribe(_ => calls++);
        store.UpdateFixture("F1", f => f with { RunId = 1 });

        // Act
        subscription.Dispose();
        store.UpdateFixture("F1", f => f with { RunId = 2 });

        // Assert
        Assert.Equal(1, calls);
        Assert.Equal(2, store.Current.Version);
    }
}

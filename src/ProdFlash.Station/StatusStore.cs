namespace ProdFlash.Station;

/// <summary>
/// The station's live status: immutable snapshots plus a change subscription (DESIGN §9). Runners and coordinators
/// write it; the REST API and the dashboard read it.
/// </summary>
/// <remarks>
/// Thread-safe singleton. Updates are serialized under one lock, so every snapshot's <see cref="StationStatus.Version"/>
/// is one higher than the one before. Subscribers are called after the lock is released, on the updating thread, in
/// the order of the updates that thread made; a subscriber must be quick and must not throw (its exception
/// reaches the updater).
/// </remarks>
public sealed class StatusStore
{
    private readonly Lock _gate = new();
    private readonly List<Action<StationStatus>> _subscribers = [];
    private StationStatus _current;

    /// <summary>Creates the store with its first snapshot.</summary>
    public StatusStore(StationStatus initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _current = initial;
    }

    /// <summary>The latest snapshot.</summary>
    public StationStatus Current => Volatile.Read(ref _current);

    /// <summary>How many subscriptions are open: a dashboard page holds one while it is open and none after it closed.</summary>
    public int SubscriberCount
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>Applies <paramref name="change"/> to the latest snapshot, publishes the result and returns it.</summary>
    /// <param name="change">A pure function of the snapshot; it may run under the store's lock, so no I/O.</param>
    public StationStatus Update(Func<StationStatus, StationStatus> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        StationStatus next;
        Action<StationStatus>[] subscribers;
        lock (_gate)
        {
            next = change(_current) with { Version = _current.Version + 1 };
            Volatile.Write(ref _current, next);
            subscribers = [.. _subscribers];
        }

        foreach (var subscriber in subscribers)
        {
            subscriber(next);
        }

        return next;
    }

    /// <summary>Updates one slot of one fixture.</summary>
    public StationStatus UpdateSlot(string fixture, int position, Func<SlotStatus, SlotStatus> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return Update(status => status with
        {
            Fixtures = [.. status.Fixtures.Select(f => f.Name != fixture ? f : f with
            {
                Slots = [.. f.Slots.Select(s => s.Position != position ? s : change(s))],
            })],
        });
    }

    /// <summary>Updates one fixture.</summary>
    public StationStatus UpdateFixture(string fixture, Func<FixtureStatus, FixtureStatus> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return Update(status => status with
        {
            Fixtures = [.. status.Fixtures.Select(f => f.Name != fixture ? f : change(f))],
        });
    }

    /// <summary>Calls <paramref name="onChange"/> with every snapshot published after this call.</summary>
    /// <returns>Dispose to stop the calls.</returns>
    public IDisposable Subscribe(Action<StationStatus> onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        lock (_gate)
        {
            _subscribers.Add(onChange);
        }

        return new Subscription(this, onChange);
    }

    /// <summary>Completes when a snapshot satisfies <paramref name="condition"/> (the current one included).</summary>
    public async Task<StationStatus> WaitForAsync(Func<StationStatus, bool> condition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var done = new TaskCompletionSource<StationStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = Subscribe(s =>
        {
            if (condition(s))
            {
                done.TrySetResult(s);
            }
        });
        var now = Current;
        if (condition(now))
        {
            return now;
        }

        return await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed class Subscription(StatusStore store, Action<StationStatus> onChange) : IDisposable
    {
        public void Dispose()
        {
            lock (store._gate)
            {
                store._subscribers.Remove(onChange);
            }
        }
    }
}

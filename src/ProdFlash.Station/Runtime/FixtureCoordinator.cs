using ProdFlash.Data;

namespace ProdFlash.Station.Runtime;

/// <summary>A run that has started: its key and the task that completes when every attempt of it is recorded.</summary>
/// <param name="RunId">The run's key.</param>
/// <param name="Completion">Completes with one result per programmed slot, in position order.</param>
public sealed record StartedRun(long RunId, Task<IReadOnlyList<SlotAttemptResult>> Completion);

/// <summary>A Start (or a recipe change) was refused: the fixture is already running, it has no enabled slot, or its recipe cannot run.</summary>
public class FixtureBusyException(string message) : InvalidOperationException(message);

/// <summary>
/// A Start refused because the store could not record the run (a full or read-only data directory): the fixture is
/// free, the station is not; the message names the folder and what to do.
/// </summary>
public sealed class RunNotRecordedException(string message) : FixtureBusyException(message);

/// <summary>
/// Turns a Start press into a Run of parallel attempts on the fixture's enabled slots, and Abort into cancellation of
/// the run in progress (DESIGN §9).
/// </summary>
/// <remarks>Thread-safe: one run at a time per fixture; a second Start while one runs is refused.</remarks>
public sealed class FixtureCoordinator
{
    private readonly Lock _gate = new();
    private readonly IReadOnlyList<SlotRunner> _slots;
    private readonly int _fixtureId;
    private readonly AttemptRecorder _recorder;
    private readonly StatusStore _status;
    private readonly CancellationToken _stopping;
    private readonly string _storeFolder;
    private CancellationTokenSource? _abort;
    private FixtureAssignment _assignment;

    internal FixtureCoordinator(string name, int fixtureId, FixtureAssignment configured, IReadOnlyList<SlotRunner> slots, AttemptRecorder recorder, StatusStore status, CancellationToken stopping, string storeFolder = "the data directory")
    {
        _storeFolder = storeFolder;
        Name = name;
        _fixtureId = fixtureId;
        Configured = configured;
        _assignment = configured;
        _slots = slots;
        _recorder = recorder;
        _status = status;
        _stopping = stopping;
    }

    /// <summary>The fixture's name.</summary>
    public string Name { get; }

    /// <summary>The fixture's database key.</summary>
    public int FixtureId => _fixtureId;

    /// <summary>What the station's configuration names for this fixture (its recipe file and image).</summary>
    public FixtureAssignment Configured { get; }

    /// <summary>What the fixture runs now: <see cref="Configured"/> or a library recipe an engineer assigned.</summary>
    public FixtureAssignment Assignment
    {
        get
        {
            lock (_gate)
            {
                return _assignment;
            }
        }
    }

    /// <summary>Makes the fixture run <paramref name="assignment"/> from its next Start on, and shows it in the status.</summary>
    /// <exception cref="FixtureBusyException">A run is in progress: a recipe never changes under a running fixture.</exception>
    public void Assign(FixtureAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        lock (_gate)
        {
            if (_abort is not null)
            {
                throw new FixtureBusyException($"Fixture {Name} is running; change its recipe after the run has finished or been aborted.");
            }

            _assignment = assignment;
        }

        _status.UpdateFixture(Name, f => f with { Recipe = assignment.Description });
    }

    /// <summary>Whether a run is in progress.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _abort is not null;
            }
        }
    }

    /// <summary>Starts a run on every enabled slot.</summary>
    /// <param name="operatorName">Who pressed Start.</param>
    /// <param name="lotCode">The production lot, when known.</param>
    /// <param name="cancellationToken">Cancels writing the run record (not the run itself; use <see cref="Abort"/>).</param>
    /// <exception cref="FixtureBusyException">A run is in progress, no slot is enabled, or the fixture's recipe cannot run.</exception>
    public async Task<StartedRun> StartAsync(string operatorName, string? lotCode, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operatorName);
        CancellationTokenSource abort;
        FixtureAssignment assignment;
        lock (_gate)
        {
            if (_abort is not null)
            {
                throw new FixtureBusyException($"Fixture {Name} is already running; wait for the run to finish or abort it.");
            }

            abort = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
            _abort = abort;
            assignment = _assignment;
        }

        try
        {
            var problem = assignment.Problem;
            if (problem is null && assignment.StartCheck is { } check)
            {
                problem = await check(cancellationToken).ConfigureAwait(false);
            }

            if (problem is not null || assignment.Plan is null)
            {
                throw new FixtureBusyException($"Fixture {Name} cannot run {assignment.Description}: {problem ?? "it has no plan"}");
            }

            var plan = assignment.Plan;
            var enabled = EnabledSlots();
            if (enabled.Count == 0)
            {
                throw new FixtureBusyException($"Fixture {Name} has no enabled slot; see each slot's reason in the status.");
            }

            long runId;
            try
            {
                runId = await _recorder.StartRunAsync(_fixtureId, assignment.RecipeId, operatorName, lotCode, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsStoreFailure(ex))
            {
                // A full or read-only disk: refuse this Start with the cause; the station keeps serving.
                throw new RunNotRecordedException($"Fixture {Name} cannot start: the store refused to record the run ({ex.GetBaseException().Message}). Its folder {_storeFolder} ({StationDatabaseOptions.SectionName}:DataDirectory) is full or not writable: free space there or make it writable, then press Start again.");
            }

            _status.UpdateFixture(Name, f => f with { RunId = runId });

            // A code scanned for one slot names its board; for several slots it names a lot (SlotHistory).
            var boardCode = enabled.Count == 1 && !string.IsNullOrWhiteSpace(lotCode) ? lotCode : null;
            var attempts = enabled.Select(slot =>
            {
                var done = new TaskCompletionSource<SlotAttemptResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                slot.Post(new AttemptRequest(runId, plan, abort.Token, done, boardCode));
                return done.Task;
            }).ToList();
            return new StartedRun(runId, FinishAsync(runId, attempts, abort));
        }
        catch (Exception)
        {
            Release(abort);
            throw;
        }
    }

    /// <summary>Cancels the run in progress; its attempts end Aborted (their serials are voided).</summary>
    /// <returns>Whether a run was in progress.</returns>
    public bool Abort()
    {
        lock (_gate)
        {
            if (_abort is null)
            {
                return false;
            }

            _abort.Cancel();
            return true;
        }
    }

    private List<SlotRunner> EnabledSlots()
    {
        var fixture = _status.Current.Fixtures.Single(f => f.Name == Name);
        return [.. _slots.Where(r => fixture.Slots.Single(s => s.Position == r.Position).State != SlotState.Disabled)];
    }

    private async Task<IReadOnlyList<SlotAttemptResult>> FinishAsync(long runId, List<Task<SlotAttemptResult>> attempts, CancellationTokenSource abort)
    {
        try
        {
            var results = await Task.WhenAll(attempts).ConfigureAwait(false);
            try
            {
                await _recorder.EndRunAsync(runId, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsStoreFailure(ex))
            {
                // The run's end time is not written (full or read-only disk); its attempts say how each ended, and the
                // slots already show why they could not be recorded.
            }

            return results;
        }
        finally
        {
            _status.UpdateFixture(Name, f => f with { RunId = null });
            Release(abort);
        }
    }

    /// <summary>Whether <paramref name="ex"/> is the store refusing a write (full disk, read-only folder, I/O error).</summary>
    internal static bool IsStoreFailure(Exception ex) =>
        ex is Microsoft.EntityFrameworkCore.DbUpdateException or Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException;

    private void Release(CancellationTokenSource abort)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_abort, abort))
            {
                _abort = null;
            }
        }

        abort.Dispose();
    }
}

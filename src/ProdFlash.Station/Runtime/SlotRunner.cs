using System.Threading.Channels;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Probes;
using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Data.Serials;
using ProdFlash.Programming.Engine;
using ProdFlash.Programming.Flash;
using DataOutcome = ProdFlash.Data.AttemptOutcome;
using EngineOutcome = ProdFlash.Programming.Engine.AttemptOutcome;

namespace ProdFlash.Station.Runtime;

/// <summary>One attempt the coordinator asks a slot to run.</summary>
/// <param name="RunId">The run it belongs to.</param>
/// <param name="Plan">Recipe and image.</param>
/// <param name="Abort">Cancelled when the run is aborted or the station stops.</param>
/// <param name="Done">Completed with the attempt's terminal state once it is recorded (or with the error that kept it from being recorded).</param>
/// <param name="BoardCode">The code scanned at Start when the run programs this slot alone (it then names the board), else null.</param>
internal sealed record AttemptRequest(long RunId, FixturePlan Plan, CancellationToken Abort, TaskCompletionSource<SlotAttemptResult> Done, string? BoardCode = null);

/// <summary>How one slot's attempt in a run ended.</summary>
/// <param name="Position">The slot's position.</param>
/// <param name="AttemptId">The attempt's key, or 0 when not even the Running row could be written.</param>
/// <param name="State">The terminal state recorded, or Running when recording failed (start-up recovery settles it).</param>
/// <param name="Code">The failure code.</param>
/// <param name="Serial">The serial text, when one was reserved.</param>
/// <param name="Error">Why the attempt could not be recorded, when it could not.</param>
public sealed record SlotAttemptResult(int Position, long AttemptId, AttemptState State, FailureCode? Code, string? Serial, string? Error);

/// <summary>
/// The loop of one slot: it alone opens the slot's probe (DESIGN §3, one runner owns one probe), and runs the attempts
/// the fixture coordinator posts, one at a time: Running row → image check → serial reservation → engine → one
/// recording transaction that commits or voids the serial.
/// </summary>
/// <remarks>
/// <see cref="RunAsync"/> is started once by <see cref="StationRuntime"/>; <see cref="Post"/> may be called from any
/// thread. A store failure (read-only or full disk) is logged and shown on the slot; the loop keeps serving.
/// </remarks>
internal sealed partial class SlotRunner
{
    private readonly Channel<AttemptRequest> _requests = Channel.CreateUnbounded<AttemptRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly StationServices _services;
    private readonly ILogger _logger;

    public SlotRunner(string fixture, int position, int slotId, string selector, StationServices services, ILogger logger)
    {
        Fixture = fixture;
        Position = position;
        SlotId = slotId;
        Selector = selector;
        _services = services;
        _logger = logger;
    }

    /// <summary>The fixture's name.</summary>
    public string Fixture { get; }

    /// <summary>Position from 1.</summary>
    public int Position { get; }

    /// <summary>The slot's record key.</summary>
    public int SlotId { get; }

    /// <summary>The probe selector.</summary>
    public string Selector { get; }

    /// <summary>The probe's serial as binding read it, when it could.</summary>
    public string? ProbeSerial { get; set; }

    /// <summary>Queues an attempt.</summary>
    public void Post(AttemptRequest request) => _requests.Writer.TryWrite(request);

    /// <summary>Runs attempts until <paramref name="stoppingToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var request in _requests.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                request.Done.TrySetResult(await RunOneAsync(request).ConfigureAwait(false));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The station is stopping; queued requests are abandoned and their runs end with the host.
        }
        finally
        {
            while (_requests.Reader.TryRead(out var left))
            {
                left.Done.TrySetCanceled(stoppingToken);
            }
        }
    }

    private async Task<SlotAttemptResult> RunOneAsync(AttemptRequest request)
    {
        var status = _services.Status;
        status.UpdateSlot(Fixture, Position, s => s with { State = SlotState.Running, Phase = "Start", Progress = 0 });
        long attemptId = 0;
        string? serialText = null;
        try
        {
            attemptId = await _services.Recorder.StartAttemptAsync(request.RunId, SlotId, ProbeSerial, CancellationToken.None).ConfigureAwait(false);
            var (outcome, serial) = await ProgramAsync(request, attemptId).ConfigureAwait(false);
            serialText = serial;
            await _services.Recorder.CompleteAttemptAsync(attemptId, outcome, CancellationToken.None).ConfigureAwait(false);
            LogAttempt(_logger, attemptId, Fixture, Position, outcome.State, outcome.FailureCode);
            var title = outcome.State == AttemptState.Passed ? "Passed" : outcome.FailureCode is { } c ? FailureCatalog.Get(c).Title : outcome.State.ToString();
            var remedy = outcome.FailureCode is { } code ? FailureCatalog.Get(code).Remedies.FirstOrDefault()?.Text : null;
            var result = new SlotResult(attemptId, outcome.State == AttemptState.Passed, outcome.FailureCode, title, remedy, outcome.State == AttemptState.Passed ? serialText : null, outcome.McuUid);
            status.UpdateSlot(Fixture, Position, s => s with { State = SlotState.Idle, Phase = null, Progress = 0, Reason = null, LastResult = result });
            return new SlotAttemptResult(Position, attemptId, outcome.State, outcome.FailureCode, serialText, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The store refused a write (read-only, full, I/O): the attempt stays Running with its serial Reserved and
            // start-up recovery settles both; the slot shows why and keeps serving.
            var cause = ex.GetBaseException().Message;
            var error = $"Attempt not recorded: {cause} The store's folder {_services.DataDirectory} ({ProdFlash.Data.StationDatabaseOptions.SectionName}:DataDirectory) is full or not writable: free space there or make it writable. Records already written are kept; recording resumes with the next attempt once it can write, and this attempt is marked Interrupted at the next start.";
            LogNotRecorded(_logger, ex, attemptId, Fixture, Position, error);
            status.UpdateSlot(Fixture, Position, s => s with { State = SlotState.Idle, Phase = null, Progress = 0, Reason = error });
            return new SlotAttemptResult(Position, attemptId, AttemptState.Running, null, serialText, error);
        }
    }

    private async Task<(DataOutcome Outcome, string? Serial)> ProgramAsync(AttemptRequest request, long attemptId)
    {
        var recipe = request.Plan.Recipe;
        var (image, integrity) = await request.Plan.LoadCheckedImageAsync(CancellationToken.None).ConfigureAwait(false);
        if (integrity is not null)
        {
            return (Failed(integrity), null);
        }

        SerialReservation? reservation = null;
        Core.Serialization.SerialRecord? record = null;
        if (recipe.Serial is { } scheme)
        {
            reservation = await _services.Ledger.ReserveAsync(recipe.Name, scheme, attemptId, _services.StationName, CancellationToken.None).ConfigureAwait(false);
            record = scheme.Render((ulong)reservation.Sequence, _services.Time.GetUtcNow(), _services.StationName);
        }

        if (request.Abort.IsCancellationRequested)
        {
            return (new DataOutcome { State = AttemptState.Aborted, FailureCode = FailureCode.Aborted }, reservation?.Text);
        }

        try
        {
            var probe = await _services.Providers.OpenAsync(Selector, request.Abort).ConfigureAwait(false);
            await using (probe.ConfigureAwait(false))
            {
                var progress = new SlotProgress(_services.Status, Fixture, Position);
                var prior = await _services.History.FindAsync(SlotId, ProbeSerial, attemptId, request.BoardCode, CancellationToken.None).ConfigureAwait(false);
                var result = await _services.Engine.RunAsync(probe, recipe, image!, record, prior, progress, request.Abort).ConfigureAwait(false);
                return (Map(result), reservation?.Text);
            }
        }
        catch (ProbeOpenException ex)
        {
            return (new DataOutcome
            {
                State = AttemptState.Failed,
                FailureCode = ex.Code,
                FailedPhase = AttemptPhase.Probe,
                Phases = [new PhaseRecord(AttemptPhase.Probe, 0, new Dictionary<string, string> { ["error"] = ex.Message })],
            }, reservation?.Text);
        }
        catch (OperationCanceledException) when (request.Abort.IsCancellationRequested)
        {
            return (new DataOutcome { State = AttemptState.Aborted, FailureCode = FailureCode.Aborted }, reservation?.Text);
        }
    }

    private static DataOutcome Failed(Diagnosis diagnosis) => new()
    {
        State = AttemptState.Failed,
        FailureCode = diagnosis.Code,
        FailedPhase = diagnosis.Phase,
        Phases = [new PhaseRecord(diagnosis.Phase, 0, new Dictionary<string, string> { [SummaryMeasurement] = diagnosis.Summary })],
    };

    private static DataOutcome Map(AttemptResult result) => new()
    {
        State = result.Outcome switch
        {
            EngineOutcome.Passed => AttemptState.Passed,
            EngineOutcome.Failed => AttemptState.Failed,
            _ => AttemptState.Aborted,
        },
        FailureCode = result.Outcome == EngineOutcome.Passed ? null : result.FailureCode ?? FailureCode.Aborted,
        FailedPhase = result.Diagnosis?.Phase,
        McuUid = result.Identity?.Uid,
        DevicePart = result.Part?.PartNumber.ToUpperInvariant(),
        Genuineness = result.Identity?.VerdictText,
        TargetVolts = MeasuredVolts(result),
        Phases = PhaseRecords(result),
        ModeledSeconds = result.Modeled.TotalSeconds,
        FloorSeconds = result.Floor?.Total?.TotalSeconds,
        OptionBytesBefore = RegisterText(result.OptionBytesBefore),
        OptionBytesAfter = RegisterText(result.OptionBytesAfter),
    };

    /// <summary>
    /// The failed phase's measurement that keeps the diagnosis summary (what was measured, what was expected, what to
    /// do first), so the unit page shows a later reader the same words the operator saw.
    /// </summary>
    internal const string SummaryMeasurement = "summary";

    /// <summary>The phases as recorded: each with its time and measurements; the failed one also with the diagnosis summary.</summary>
    private static List<PhaseRecord> PhaseRecords(AttemptResult result)
    {
        var records = result.Phases.Select(p => new PhaseRecord(p.Phase, p.Modeled.TotalSeconds, Measurements(result, p.Phase))).ToList();
        if (result.Outcome == EngineOutcome.Passed || result.Diagnosis is not { } diagnosis)
        {
            return records;
        }

        var index = records.FindLastIndex(r => r.Phase == diagnosis.Phase);
        if (index < 0)
        {
            records.Add(new PhaseRecord(diagnosis.Phase, 0, new Dictionary<string, string> { [SummaryMeasurement] = diagnosis.Summary }));
            return records;
        }

        var measured = new Dictionary<string, string>(records[index].Measurements ?? new Dictionary<string, string>()) { [SummaryMeasurement] = diagnosis.Summary };
        records[index] = records[index] with { Measurements = measured };
        return records;
    }

    /// <summary>The Probe phase's measurement that lists the anomalies the recipe allowed (e.g. <c>ProbeSuspectClone</c>).</summary>
    internal const string WarningMeasurement = "warning";

    /// <summary>
    /// What the record keeps of a phase besides its time: the anomalies the recipe allowed (probe), and the RDP level
    /// found (option bytes) and left (finalize), the target voltage measured (power), which <see cref="SlotHistory"/> reads back as the evidence of a later
    /// silent chip.
    /// </summary>
    private static Dictionary<string, string>? Measurements(AttemptResult result, AttemptPhase phase)
    {
        if (phase == AttemptPhase.Probe && result.Warnings.Count > 0)
        {
            return new Dictionary<string, string> { [WarningMeasurement] = string.Join(',', result.Warnings.Select(w => w.Code)) };
        }

        if (phase == AttemptPhase.Power && MeasuredVolts(result) is { } volts)
        {
            return new Dictionary<string, string> { ["vtarget"] = volts.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) };
        }

        var state = phase switch
        {
            AttemptPhase.OptionBytes => result.OptionBytesBefore,
            AttemptPhase.Finalize => result.OptionBytesAfter,
            _ => null,
        };
        return state is null ? null : new Dictionary<string, string> { [SlotHistory.RdpMeasurement] = ((int)state.Rdp).ToString(System.Globalization.CultureInfo.InvariantCulture) };
    }

    /// <summary>The target voltage the power phase measured, rounded to millivolts; null when it measured none.</summary>
    internal static double? MeasuredVolts(AttemptResult result) =>
        result.Voltage is { CanMeasure: true } voltage ? Math.Round(voltage.Volts, 3) : null;

    /// <summary>The option-byte registers as the driver read them, <c>NAME=0xVALUE</c> pairs in the driver's order.</summary>
    internal static string? RegisterText(OptionByteState? state) =>
        state is null || state.RawRegisters.Count == 0
            ? null
            : string.Join(' ', state.RawRegisters.Select(r => $"{r.Key}=0x{r.Value:X8}"));

    [LoggerMessage(Level = LogLevel.Information, Message = "Attempt {AttemptId} on {Fixture} slot {Slot} ended {State} {Code}")]
    private static partial void LogAttempt(ILogger logger, long attemptId, string fixture, int slot, AttemptState state, FailureCode? code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Attempt {AttemptId} on {Fixture} slot {Slot} could not be recorded: {Reason}")]
    private static partial void LogNotRecorded(ILogger logger, Exception exception, long attemptId, string fixture, int slot, string reason);

    /// <summary>Publishes the engine's events to the status store: phase and whole-percent progress only.</summary>
    private sealed class SlotProgress(StatusStore status, string fixture, int position) : IProgress<AttemptEvent>
    {
        private int _percent = -1;
        private AttemptPhase? _phase;

        public void Report(AttemptEvent value)
        {
            var percent = value switch
            {
                PhaseStarted => 0,
                PhaseProgress p => p.Total > 0 ? (int)(p.Done * 100 / p.Total) : 0,
                _ => 100,
            };
            if (value.Phase == _phase && percent == _percent)
            {
                return;
            }

            _phase = value.Phase;
            _percent = percent;
            status.UpdateSlot(fixture, position, s => s with { Phase = value.Phase.ToString(), Progress = percent / 100.0 });
        }
    }
}

using System.Diagnostics;
using System.Globalization;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Images;
using ProdFlash.Core.Recipes;
using ProdFlash.Core.Serialization;
using ProdFlash.Core.Targets;
using ProdFlash.Programming.Flash;
using ProdFlash.Programming.Identify;

namespace ProdFlash.Programming.Engine;

/// <summary>The state of one attempt while it runs; see <see cref="AttemptEngine"/>.</summary>
internal sealed partial class AttemptRun
{
    /// <summary>Below this the sense pin reads "not powered" rather than "out of range" (the probe ADC's noise floor).</summary>
    private const double NotPoweredVolts = 0.5;

    /// <summary>DHCSR and DEMCR (ARMv7-M ARM C1.6.2, C1.6.5): halt on the reset vector when NRST is released.</summary>
    private const uint Dhcsr = 0xE000EDF0;
    private const uint DhcsrDebugKeyHaltDebugEn = 0xA05F0003;
    private const uint Demcr = 0xE000EDFC;
    private const uint DemcrVcCoreReset = 1u << 0;

    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    private readonly AttemptOptions _options;
    private readonly TimeProvider _clock;
    private readonly IDebugProbe _probe;
    private readonly Recipe _recipe;
    private readonly MemoryImage _image;
    private readonly SerialRecord? _serial;
    private readonly IProgress<AttemptEvent>? _progress;
    private readonly PriorContact? _prior;
    private readonly List<PhaseLedgerEntry> _ledger = [];
    private readonly List<ConnectRecord> _connectTries = [];
    private readonly List<Diagnosis> _warnings = [];
    private AttemptPhase _phase;
    private long _phaseModeledStamp;
    private CancellationTokenSource? _modeledLimit;

    private TargetVoltage? _voltage;
    private int _swdKHz = ConnectSettings.DefaultFrequencyKHz;
    private int? _appliedKHz;
    private TargetConnection? _connection;
    private Identification? _identity;
    private DevicePart? _part;
    private IFlashDriver? _driver;
    private LedgerMemory? _memory;
    private OptionByteState? _obBefore;
    private OptionByteState? _obAfter;
    private ErasePlan? _plan;
    private List<(uint Address, int Length)> _runs = [];
    private PhysicalFloor? _floor;
    private long _bytesProgrammed;
    private SerialRecord? _serialWritten;
    private string? _notAvailable;

    /// <summary>
    /// Why flash is written with plain memory writes: the probe's server reaches no flash controller (QEMU models
    /// none; its flash takes memory writes); null when a flash driver erases and programs.
    /// </summary>
    private string? _directFlash;

    public AttemptRun(AttemptOptions options, IDebugProbe probe, Recipe recipe, MemoryImage image, SerialRecord? serial, IProgress<AttemptEvent>? progress, PriorContact? prior = null)
    {
        _prior = prior;
        _options = options;
        _probe = probe;
        _clock = options.ModeledTime ?? (probe as IProbeStatistics)?.Clock ?? TimeProvider.System;
        _recipe = recipe;
        _image = image;
        _serial = serial;
        _progress = progress;
    }

    private ProbeKind Kind => _probe.Description.Kind switch
    {
        "ST-LINK/V2" => ProbeKind.StLinkV2,
        "ST-LINK/V2-1" => ProbeKind.StLinkV21,
        "STLINK-V3" => ProbeKind.StLinkV3,
        _ => ProbeKind.Unknown,
    };

    public async Task<AttemptResult> ExecuteAsync(CancellationToken cancellationToken)
    {
        (AttemptOutcome Outcome, Diagnosis? Diagnosis) end = (AttemptOutcome.Passed, null);
        var phases = new (AttemptPhase Phase, Func<CancellationToken, ValueTask<string?>> Body)[]
        {
            (AttemptPhase.Probe, ProbeAsync),
            (AttemptPhase.Power, PowerAsync),
            (AttemptPhase.Connect, ConnectAsync),
            (AttemptPhase.Identify, IdentifyAsync),
            (AttemptPhase.OptionBytes, OptionBytesAsync),
            (AttemptPhase.Erase, EraseAsync),
            (AttemptPhase.Program, ProgramAsync),
            (AttemptPhase.Verify, VerifyAsync),
            (AttemptPhase.Serialize, SerializeAsync),
            (AttemptPhase.Finalize, FinalizeAsync),
        };
        foreach (var (phase, body) in phases.Where(p => p.Phase <= _options.LastPhase))
        {
            end = await RunPhaseAsync(phase, body, cancellationToken).ConfigureAwait(false);
            if (end.Outcome != AttemptOutcome.Passed)
            {
                await LockBestEffortAsync().ConfigureAwait(false);
                break;
            }
        }

        return new AttemptResult
        {
            Outcome = end.Outcome,
            Diagnosis = end.Diagnosis,
            Probe = _probe.Description,
            Voltage = _voltage,
            ConnectTries = _connectTries,
            Identity = _identity,
            Part = _part,
            OptionBytesBefore = _obBefore,
            OptionBytesAfter = _obAfter,
            Erase = _plan,
            BytesProgrammed = _bytesProgrammed,
            Serial = _serialWritten,
            Phases = _ledger,
            Floor = _floor,
            Prior = _prior,
            Warnings = _warnings,
        };
    }

    private async Task<(AttemptOutcome, Diagnosis?)> RunPhaseAsync(AttemptPhase phase, Func<CancellationToken, ValueTask<string?>> body, CancellationToken cancellationToken)
    {
        _phase = phase;
        var limit = _recipe.Timeouts.For(phase, _part);
        var wallStart = Stopwatch.GetTimestamp();
        _phaseModeledStamp = _clock.GetTimestamp();
        var counters0 = Counters();
        var busy0 = _memory?.BusyWait ?? TimeSpan.Zero;
        using var wallLimit = new CancellationTokenSource(limit, _options.WallTime);
        using var modeledLimit = new CancellationTokenSource();
        _modeledLimit = modeledLimit;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, wallLimit.Token, modeledLimit.Token);

        // The limits run from here: a listener that takes its time over PhaseStarted spends the phase's time.
        Report(new PhaseStarted(phase));
        _notAvailable = null;
        Diagnosis? failure = null;
        var outcome = AttemptOutcome.Passed;
        string? note = null;
        try
        {
            note = await body(linked.Token).ConfigureAwait(false);
            if (ModeledElapsed() > limit)
            {
                failure = Diagnoses.Timeout(phase, limit);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = AttemptOutcome.Aborted;
            failure = Diagnoses.Aborted(phase, _options.StoppedBy);
        }
        catch (OperationCanceledException) when (wallLimit.IsCancellationRequested || modeledLimit.IsCancellationRequested)
        {
            failure = Diagnoses.Timeout(phase, limit);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            failure = await DiagnoseAsync(error, phase).ConfigureAwait(false);
        }
        finally
        {
            _modeledLimit = null;
        }

        var counters = Counters().Since(counters0);
        var entry = new PhaseLedgerEntry(phase, Stopwatch.GetElapsedTime(wallStart), ModeledElapsed(), counters.Transactions, counters.BytesOut, counters.BytesIn,
            (_memory?.BusyWait ?? TimeSpan.Zero) - busy0)
        { NotAvailable = failure is null ? _notAvailable : null, Verify = phase == AttemptPhase.Verify ? _verify : null };
        _ledger.Add(entry);
        if (failure is null)
        {
            Report(new PhaseFinished(phase, entry, note));
            return (AttemptOutcome.Passed, null);
        }

        outcome = outcome == AttemptOutcome.Aborted ? outcome : AttemptOutcome.Failed;
        Report(new PhaseFailed(phase, failure, entry));
        return (outcome, failure);
    }

    private TimeSpan ModeledElapsed() => _clock.GetElapsedTime(_phaseModeledStamp);

    /// <summary>Why this probe cannot do <paramref name="feature"/> at all, or null when it can (or says nothing).</summary>
    private string? Unavailable(ProbeFeatures feature) =>
        _probe is IProbeAvailability availability && availability.Unavailable.HasFlag(feature)
            ? availability.WhyUnavailable(feature) ?? $"{feature} is not available with this probe"
            : null;

    /// <summary>Marks the running phase's check as not made, with the reason; returns the note for the ledger.</summary>
    private string NotAvailable(string why)
    {
        _notAvailable = _notAvailable is null ? why : _notAvailable + "; " + why;
        return "not available: " + why;
    }

    private ProbeCounters Counters() => _probe is IProbeStatistics statistics ? statistics.Counters : default;

    private void Report(AttemptEvent e) => _progress?.Report(e);

    private void ReportProgress(long done, long total)
    {
        Report(new PhaseProgress(_phase, done, total));
        if (ModeledElapsed() > _recipe.Timeouts.For(_phase, _part))
        {
            _modeledLimit?.Cancel();
        }
    }

    // A chip that stops answering (no ACK, link errors, WAIT, bus faults) is checked for a brown-out before the SWD
    // error is blamed: a board that lost power reads 0 V on the sense pin.
    private async ValueTask<Diagnosis> DiagnoseAsync(Exception error, AttemptPhase phase)
    {
        if (error is TargetException { Kind: not (TargetErrorKind.ProbeTransport or TargetErrorKind.ProbeFirmwareTooOld or TargetErrorKind.InvalidRequest) } && phase > AttemptPhase.Power
            && await PowerLostAsync(phase).ConfigureAwait(false) is { } power)
        {
            return power;
        }

        return FailureMapper.Map(error, phase, _probe.Description, _part?.Family.FlashController);
    }

    private async ValueTask<Diagnosis?> PowerLostAsync(AttemptPhase phase)
    {
        try
        {
            var voltage = await _probe.ReadTargetVoltageAsync(CancellationToken.None).ConfigureAwait(false);
            if (!voltage.CanMeasure || _recipe.Voltage.Contains(voltage.Volts))
            {
                return null;
            }

            var power = voltage.Volts < NotPoweredVolts
                ? Diagnoses.TargetNotPowered(voltage.Volts, Kind)
                : Diagnoses.TargetVoltageOutOfRange(voltage.Volts, _recipe.Voltage.Min, _recipe.Voltage.Max, Kind);
            return FailureMapper.InPhase(power, phase);
        }
        catch (TargetException)
        {
            // The probe cannot even measure now; the original error stands.
            return null;
        }
    }

    private async ValueTask LockBestEffortAsync()
    {
        if (_driver is null)
        {
            return;
        }

        try
        {
            await _driver.LockAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TargetException or FlashOperationException)
        {
            // Best effort (issue 4 §1): the probe or the chip is gone; the failure is already diagnosed.
        }
    }

    private ValueTask<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_recipe.Image.Sha256 is { } expected && !string.Equals(expected, _image.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new AttemptFailedException(Diagnoses.ImageIntegrityFailed(_recipe.Image.Path ?? "(image named by hash)", expected, _image.Sha256));
        }

        var d = _probe.Description;
        var warning = string.Empty;
        if (d.CloneSignals != CloneProbeSignals.None)
        {
            var clone = Diagnoses.ProbeSuspectClone(d.Serial ?? d.Location, d.CloneSignals);
            if (!_recipe.Probe.AllowClone)
            {
                throw new AttemptFailedException(clone);
            }

            // The recipe accepts clone probes: the anomaly stays on record with its evidence, the attempt goes on.
            _warnings.Add(clone);
            warning = $"; WARNING {clone.Code} allowed by the recipe (probe.allowClone): {clone.Summary}";
        }

        return ValueTask.FromResult<string?>($"{d.Kind} {d.Firmware} at {d.Location}; DAP register access {(_probe.Dap is null ? "no" : "yes")}{warning}");
    }

    private async ValueTask<string?> PowerAsync(CancellationToken cancellationToken)
    {
        if (Unavailable(ProbeFeatures.TargetVoltage) is { } why)
        {
            // The probe has no sense pin at all (a GDB server): nothing was measured, so nothing is claimed.
            cancellationToken.ThrowIfCancellationRequested();
            return NotAvailable("target voltage: " + why);
        }

        var voltage = await _probe.ReadTargetVoltageAsync(cancellationToken).ConfigureAwait(false);
        _voltage = voltage;
        if (!voltage.CanMeasure)
        {
            // The probe's own words carry its raw ADC samples; the factory's summary is kept, its sample evidence
            // replaced by what the probe reported.
            var cannot = Diagnoses.ProbeCannotMeasureVoltage(Kind, 0, 0);
            throw new AttemptFailedException(new Diagnosis(cannot.Code, AttemptPhase.Power,
                $"Probe cannot measure target voltage: it reported {voltage.Evidence}, so it cannot tell whether the board is powered. Replace the probe.",
                [new Evidence("Probe voltage reading", voltage.Evidence, "a reference sample above 0")]));
        }

        if (voltage.Volts < NotPoweredVolts)
        {
            throw new AttemptFailedException(Diagnoses.TargetNotPowered(voltage.Volts, Kind));
        }

        if (!_recipe.Voltage.Contains(voltage.Volts))
        {
            throw new AttemptFailedException(Diagnoses.TargetVoltageOutOfRange(voltage.Volts, _recipe.Voltage.Min, _recipe.Voltage.Max, Kind));
        }

        return voltage.Evidence;
    }

    private async ValueTask<string?> ConnectAsync(CancellationToken cancellationToken)
    {
        foreach (var attempt in _recipe.Connect.Tries())
        {
            _appliedKHz = null;
            try
            {
                await TryConnectAsync(attempt, cancellationToken).ConfigureAwait(false);
                _swdKHz = _appliedKHz ?? attempt.FrequencyKHz;
                _connectTries.Add(new ConnectRecord(attempt, _appliedKHz, null, EvidenceFormat.Hex32(_connection!.Value.DpIdr)));
                return $"connected {attempt} (try {_connectTries.Count}), DPIDR {EvidenceFormat.Hex32(_connection!.Value.DpIdr)}";
            }
            catch (TargetException error)
            {
                _connectTries.Add(new ConnectRecord(attempt, _appliedKHz, error.Kind, error.Message));
                if (error.Kind is TargetErrorKind.ProbeTransport or TargetErrorKind.ProbeFirmwareTooOld)
                {
                    throw;
                }

                if (attempt.Mode == ConnectMode.UnderReset)
                {
                    await ReleaseResetBestEffortAsync().ConfigureAwait(false);
                }
            }
        }

        throw new AttemptFailedException(await PowerLostAsync(AttemptPhase.Connect).ConfigureAwait(false) ?? ClassifyConnectFailure());
    }

    private async ValueTask TryConnectAsync(ConnectTry attempt, CancellationToken cancellationToken)
    {
        if (attempt.Mode == ConnectMode.UnderReset)
        {
            await _probe.DriveResetLineAsync(ResetLineAction.Assert, cancellationToken).ConfigureAwait(false);
        }

        _appliedKHz = await _probe.SetFrequencyAsync(attempt.FrequencyKHz, cancellationToken).ConfigureAwait(false);
        _connection = await _probe.ConnectAsync(cancellationToken).ConfigureAwait(false);
        if (attempt.Mode == ConnectMode.UnderReset)
        {
            // Held in reset: ask for a halt on the reset vector, then release NRST so the core stops before any
            // firmware instruction runs (stm32-targets.md §6, BMP's F0 handling).
            await _probe.Memory.WriteUInt32Async(Dhcsr, DhcsrDebugKeyHaltDebugEn, cancellationToken).ConfigureAwait(false);
            var demcr = await _probe.Memory.ReadUInt32Async(Demcr, cancellationToken).ConfigureAwait(false);
            await _probe.Memory.WriteUInt32Async(Demcr, demcr | DemcrVcCoreReset, cancellationToken).ConfigureAwait(false);
            await _probe.DriveResetLineAsync(ResetLineAction.Release, cancellationToken).ConfigureAwait(false);
        }

        // Flash programming needs a halted core in every mode; hot-plug only means NRST is not touched.
        await _probe.Core.HaltAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask ReleaseResetBestEffortAsync()
    {
        try
        {
            await _probe.DriveResetLineAsync(ResetLineAction.Release, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TargetException)
        {
            // The next try asserts it again, or the connect failure is reported; nothing more to do here.
        }
    }

    private Diagnosis ClassifyConnectFailure()
    {
        var tries = _connectTries.Select(t => t.Try).ToList();
        var underResetTried = _connectTries.Any(t => t.Try.Mode == ConnectMode.UnderReset);
        var waits = _connectTries.Count(t => t.Error == TargetErrorKind.WaitTimeout);
        if (waits > 0)
        {
            return Diagnoses.TargetLowPowerOrPinsRemapped(waits, _connectTries.Count, _recipe.Connect.Mode, underResetTried);
        }

        var links = _connectTries.Where(t => t.Error == TargetErrorKind.LinkError).ToList();
        if (links.Count > 0)
        {
            return new Diagnosis(FailureCode.SwdUnstable, AttemptPhase.Connect,
                string.Create(s_inv, $"SWD connection unstable: {links.Count} of {_connectTries.Count} connect tries ended in a link error ({links[0].Detail}). Lower the SWD frequency in the recipe, and check the SWD wires and GND."),
                [new Evidence("Tries with link errors", EvidenceFormat.Int(links.Count), "0"), new Evidence("Tries", string.Join(", ", tries))]);
        }

        if (_connectTries.All(t => t.Error == TargetErrorKind.NoResponse))
        {
            // Silence in every try: wiring, an unfitted chip, or RDP level 2 — weighed by the evidence (SilentTarget).
            return SilentTarget.Diagnose(_connectTries, _recipe.Connect, _voltage, _recipe.Voltage, _prior, Kind);
        }

        var last = _connectTries[^1];
        return new Diagnosis(FailureCode.NoSwdResponse, AttemptPhase.Connect,
            string.Create(s_inv, $"Could not attach to the chip in {_connectTries.Count} tries ({string.Join(", ", tries)}); the last ended in {last.Error}: {last.Detail} Check SWDIO, SWCLK, GND and NRST, and press Start again."),
            [.. _connectTries.Select((t, i) => new Evidence(string.Create(s_inv, $"Try {i + 1}: {t.Try}"), t.Error?.ToString() ?? "connected"))]);
    }

    private async ValueTask<string?> IdentifyAsync(CancellationToken cancellationToken)
    {
        Identification identity;
        try
        {
            // A DPIDR the probe cannot read (a GDB server reports 0) is no evidence of a clone, nor of a genuine part.
            var dpIdr = Unavailable(ProbeFeatures.DebugPortIdentity) is null ? _connection!.Value.DpIdr : (uint?)null;
            identity = await TargetIdentifier.IdentifyAsync(_probe, dpIdr, _options.Catalog, cancellationToken).ConfigureAwait(false);
        }
        catch (TargetMemoryFaultException fault) when (Unavailable(ProbeFeatures.DebugPortIdentity) is { } why)
        {
            return IdentifyFromRecipe($"{why}; the server refused an identity register ({fault.Message})");
        }

        if (identity.Debug.DbgmcuIdcode is null or 0 && Unavailable(ProbeFeatures.DebugPortIdentity) is { } silent)
        {
            return IdentifyFromRecipe($"{silent}; DBGMCU_IDCODE reads 0 through it");
        }

        _identity = identity;
        var idcode = identity.Debug.DbgmcuIdcode ?? 0;
        var policy = _recipe.Genuineness;
        if ((identity.Verdict == OriginVerdict.Clone && !policy.Allows(identity.CloneFamily!))
            || (identity.Verdict == OriginVerdict.Unknown && !policy.AllowUnknown))
        {
            var claimed = identity.Line?.Name ?? identity.DeviceName;
            throw new AttemptFailedException(Diagnoses.CounterfeitDevice(claimed, idcode, identity.Evidence));
        }

        var flashKiB = identity.FlashKiB ?? 0;
        var match = _recipe.Devices.FirstOrDefault(d => d.Matches(idcode, flashKiB));
        if (match is null)
        {
            var sameId = _recipe.Devices.FirstOrDefault(d => d.DevId == DeviceCatalog.DevIdOf(idcode));
            throw new AttemptFailedException(sameId is not null
                ? Diagnoses.FlashSizeMismatch(sameId.ToString(), flashKiB, sameId.FlashKiB)
                : Diagnoses.WrongDevice(identity.DeviceName, idcode, flashKiB, [.. _recipe.Devices.Select(d => d.ToString())]));
        }

        var part = match.Part ?? identity.Part
            ?? throw new AttemptFailedException(Diagnoses.WrongDevice(identity.DeviceName + " (no catalog part to program it with)", idcode, flashKiB, [match.ToString()]));
        _part = part;
        var fit = part.Check(_image);
        if (!fit.Fits)
        {
            var outside = fit.Outside[0];
            throw new AttemptFailedException(new Diagnosis(FailureCode.WrongDevice, AttemptPhase.Identify,
                $"The image does not fit {part.PartNumber.ToUpperInvariant()}: {fit.BytesOutside} bytes lie outside its flash, first {outside}. Check that the recipe's image is built for this part.",
                [new Evidence("Bytes outside flash", EvidenceFormat.Int(fit.BytesOutside), "0"), new Evidence("First range outside", outside.ToString())]));
        }

        CreateDriver(part, identity.CloneFamily);
        return $"{identity.DeviceName}, {identity.VerdictText}, DBGMCU_IDCODE {EvidenceFormat.Hex32(idcode)}, {flashKiB} KiB, UID {identity.Uid}";
    }

    /// <summary>
    /// The chip's identity cannot be read through this probe (a GDB server whose target models no DBGMCU, flash-size or
    /// UID register): the part comes from the recipe, when it names exactly one and accepts a chip of undecided origin.
    /// Reported as not available, never as identified.
    /// </summary>
    private string IdentifyFromRecipe(string why)
    {
        var parts = _recipe.Devices.Select(d => d.Part).Distinct().ToList();
        var evidence = new List<Evidence> { new("Chip identity", "not available: " + why, "DBGMCU_IDCODE, flash size and UID readable") };
        if (!_recipe.Genuineness.AllowUnknown)
        {
            throw new AttemptFailedException(new Diagnosis(FailureCode.WrongDevice, AttemptPhase.Identify,
                $"The chip cannot be identified through this probe ({why}), and the recipe does not accept a chip whose origin cannot be decided. Program through a probe that reads the chip's identity, or set genuineness.allowUnknown in the recipe.",
                evidence));
        }

        if (parts is not [{ } part])
        {
            throw new AttemptFailedException(new Diagnosis(FailureCode.WrongDevice, AttemptPhase.Identify,
                $"The chip cannot be identified through this probe ({why}), and the recipe accepts {string.Join(", ", _recipe.Devices.Select(d => d.ToString()))}, so it cannot tell which flash layout to program. Name exactly one catalog part in the recipe.",
                evidence));
        }

        _part = part;
        var fit = part.Check(_image);
        if (!fit.Fits)
        {
            throw new AttemptFailedException(new Diagnosis(FailureCode.WrongDevice, AttemptPhase.Identify,
                $"The image does not fit {part.PartNumber.ToUpperInvariant()}: {fit.BytesOutside} bytes lie outside its flash, first {fit.Outside[0]}. Check that the recipe's image is built for this part.",
                [new Evidence("Bytes outside flash", EvidenceFormat.Int(fit.BytesOutside), "0"), new Evidence("First range outside", fit.Outside[0].ToString())]));
        }

        CreateDriver(part, null);
        if (_driver is not ServerFlashDriver)
        {
            // Where the chip's own system registers are not there (QEMU's boards model neither DBGMCU nor the flash
            // interface; its flash takes memory writes), its flash-controller registers cannot be trusted either:
            // write the flash directly and let the verify phase prove every byte.
            _directFlash = $"the chip's system registers are not reachable through this probe ({why})";
            _driver = new DirectMemoryFlashDriver(part, _memory!);
        }

        return NotAvailable($"chip identity ({why}); programming it as {part.PartNumber.ToUpperInvariant()}, the recipe's only part");
    }

    // The family's flash driver over the ledger's memory view; through a server that programs the image's flash itself
    // (vFlash), the server's writer with the family driver kept for the option bytes.
    private void CreateDriver(DevicePart part, string? cloneFamily)
    {
        _memory = new LedgerMemory(_probe.Memory, part.Family.FlashController, _clock);
        var family = _options.FlashDrivers(new FlashDriverContext(part, _memory, _probe.Core, _clock, _voltage?.Volts, cloneFamily, _options.Loader));
        var ranges = _image.Segments.Select(s => (s.Address, (ulong)(s.End - s.Address)))
            .Concat(_serial is null ? [] : [(_serial.Address, (ulong)_serial.Bytes.Length)]);
        _driver = _probe is IServerFlashProgramming { FlashRegions.Count: > 0 } server && ServerFlashDriver.Covers(server, ranges)
            ? new ServerFlashDriver(part, server, family)
            : family;
    }

    private async ValueTask<string?> OptionBytesAsync(CancellationToken cancellationToken)
    {
        if (_directFlash is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return NotAvailable("option bytes: " + _directFlash);
        }

        var driver = _driver!;
        var policy = _recipe.OptionBytes;
        OptionByteState state;
        try
        {
            state = await driver.ReadOptionBytesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (TargetMemoryFaultException fault) when (Unavailable(ProbeFeatures.DebugPortIdentity) is { } why)
        {
            // Behind a server (a GDB stub) whose target has no flash controller where the family has one: QEMU's
            // boards model none, and their flash takes plain memory writes. Program it that way and say so.
            _directFlash = $"no flash controller answers at {EvidenceFormat.Hex32(fault.Address)} through this probe ({why})";
            _driver = new DirectMemoryFlashDriver(_part!, _memory!);
            return NotAvailable("option bytes: " + _directFlash);
        }

        _obBefore = state;
        _obAfter = state;
        var level0 = _part!.Family.OptionBytes.Rdp.Level0;
        if (state.Rdp == RdpLevel.Level2)
        {
            throw new AttemptFailedException(Diagnoses.ReadoutProtectedPermanently(state.RdpRaw ?? _part.Family.OptionBytes.Rdp.Level2 ?? 0xCC));
        }

        var notes = new List<string>();
        if (state.Rdp == RdpLevel.Level1)
        {
            if (!policy.AllowRdpRegression)
            {
                throw new AttemptFailedException(Diagnoses.ReadoutProtected(state.RdpRaw ?? 0xFF, level0, false));
            }

            state = await driver.WriteOptionBytesAsync(new OptionByteChange(Rdp: RdpLevel.Level0, AllowRdpRegression: true), cancellationToken).ConfigureAwait(false);
            _obAfter = state;
            if (state.Rdp != RdpLevel.Level0)
            {
                throw new AttemptFailedException(Diagnoses.ReadoutProtected(state.RdpRaw ?? 0xFF, level0, true));
            }

            notes.Add("RDP level 1 regressed to 0 (mass erase), as the recipe allows");
        }

        var needed = NeededUnits();
        var blocked = state.WriteProtectedUnits.Intersect(needed.Select(u => u.Number)).Order().ToList();
        if (blocked.Count > 0)
        {
            if (!policy.AllowWriteProtectionRemoval)
            {
                throw new AttemptFailedException(Diagnoses.WriteProtected(blocked, false));
            }

            // One WRP bit covers a group of pages (F1 medium density: 4, RM0008 §2.5): lift whole groups.
            var perBit = _part!.Line.WriteProtectionPagesPerBit ?? 1;
            var groups = blocked.Select(n => n / perBit).ToHashSet();
            var keep = state.WriteProtectedUnits.Where(n => !groups.Contains(n / perBit)).ToList();
            state = await driver.WriteOptionBytesAsync(new OptionByteChange(WriteProtectedUnits: keep, AllowWriteProtectionRemoval: true), cancellationToken).ConfigureAwait(false);
            _obAfter = state;
            var still = state.WriteProtectedUnits.Intersect(blocked).Order().ToList();
            if (still.Count > 0)
            {
                throw new AttemptFailedException(Diagnoses.WriteProtected(still, true));
            }

            notes.Add(string.Create(s_inv, $"write protection lifted from {blocked.Count} units, as the recipe allows"));
        }

        notes.Insert(0, string.Create(s_inv, $"RDP level {(int)_obBefore.Rdp}, {_obBefore.WriteProtectedUnits.Count} write-protected units"));
        return string.Join("; ", notes);
    }

    // The units the image touches plus the serial record's unit, in address order.
    private List<EraseUnit> NeededUnits()
    {
        var part = _part!;
        var units = part.Check(_image).Units.ToList();
        if (_serial is not null && part.Layout.UnitAt(_serial.Address) is { } serialUnit && units.All(u => u.Index != serialUnit.Index))
        {
            units.Add(serialUnit);
        }

        return [.. units.OrderBy(u => u.Address)];
    }

    private async ValueTask<string?> EraseAsync(CancellationToken cancellationToken)
    {
        if (_directFlash is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _runs = ProgramRuns([]);
            return NotAvailable("erase: " + _directFlash + "; the flash is written with plain memory writes and the verify phase reads every byte back");
        }

        var part = _part!;
        var driver = _driver!;
        var needed = NeededUnits();
        var matching = new HashSet<int>();
        if (_recipe.Checks.Preverify || _recipe.Erase == EraseStrategy.SkipMatching)
        {
            var serialUnit = _serial is null ? null : part.Layout.UnitAt(_serial.Address);
            var done = 0;
            foreach (var unit in needed)
            {
                if (unit.Index != serialUnit?.Index && await UnitMatchesAsync(unit, cancellationToken).ConfigureAwait(false))
                {
                    matching.Add(unit.Index);
                }

                ReportProgress(++done, needed.Count * 2L);
            }
        }

        var protectedElsewhere = (_obAfter?.WriteProtectedUnits ?? []).ToList();
        // The programming unit the driver will use (F4: PSIZE from the supply voltage), whose timing column the plan and the floor use.
        var unitBytes = part.Family.ProgrammingUnit.SelectedBy is null ? part.Family.ProgrammingUnit.Bytes : F4FlashDriver.UnitForVoltage(part.Family.ProgrammingUnit, _voltage?.Volts);
        var plan = ErasePlanner.Plan(part, _recipe.Erase, needed, matching, protectedElsewhere, unitBytes);
        _plan = plan;
        _runs = ProgramRuns(plan.SkippedUnits);
        // The floor needs the SWD clock the image crosses the wire at; a server that owns the clock does not say it.
        _floor = Unavailable(ProbeFeatures.SwdClock) is null ? FloorCalculator.Compute(part, plan, _runs, _swdKHz, unitBytes) : null;
        await driver.UnlockAsync(cancellationToken).ConfigureAwait(false);
        var progress = new FlashProgressReporter(this, matching.Count > 0 || _recipe.Checks.Preverify ? needed.Count : 0);
        if (plan.Mass)
        {
            await driver.MassEraseAsync(progress, cancellationToken).ConfigureAwait(false);
        }
        else if (plan.Units.Count > 0)
        {
            await driver.EraseAsync(plan.Units, progress, cancellationToken).ConfigureAwait(false);
        }

        return plan.Reason;
    }

    private async ValueTask<bool> UnitMatchesAsync(EraseUnit unit, CancellationToken cancellationToken)
    {
        var actual = new byte[unit.Size];
        await _probe.Memory.ReadAsync(unit.Address, actual, AccessWidth.Word, cancellationToken).ConfigureAwait(false);
        var wanted = new byte[unit.Size];
        _image.CopyTo(unit.Address, wanted);
        return actual.AsSpan().SequenceEqual(wanted);
    }

    // The image's bytes inside flash, split around the units skipped as already matching.
    private List<(uint Address, int Length)> ProgramRuns(IReadOnlyList<EraseUnit> skipped)
    {
        var runs = new List<(uint, int)>();
        foreach (var segment in _image.Segments)
        {
            var start = (ulong)segment.Address;
            var end = segment.End;
            var cursor = start;
            foreach (var unit in skipped.Where(u => u.End > start && u.Address < end).OrderBy(u => u.Address))
            {
                if (unit.Address > cursor)
                {
                    runs.Add(((uint)cursor, (int)(unit.Address - cursor)));
                }

                cursor = Math.Max(cursor, unit.End);
            }

            if (cursor < end)
            {
                runs.Add(((uint)cursor, (int)(end - cursor)));
            }
        }

        return runs;
    }

    private async ValueTask<string?> ProgramAsync(CancellationToken cancellationToken)
    {
        var driver = _driver!;
        var total = _runs.Sum(r => (long)r.Length);
        long done = 0;
        foreach (var (address, length) in _runs)
        {
            var data = new byte[length];
            _image.CopyTo(address, data);
            var reporter = new FlashProgressReporter(this, 0, done, total);
            await driver.ProgramAsync(address, data, reporter, cancellationToken).ConfigureAwait(false);
            done += length;
            _bytesProgrammed = done;
            ReportProgress(done, total);
        }

        return string.Create(s_inv, $"{total} bytes in {_runs.Count} runs");
    }

    private async ValueTask<string?> SerializeAsync(CancellationToken cancellationToken)
    {
        if (_serial is not { } record)
        {
            return _recipe.Serial is null ? "no serial scheme" : "no serial value given";
        }

        var driver = _driver!;
        try
        {
            await driver.ProgramAsync(record.Address, record.Bytes, null, cancellationToken).ConfigureAwait(false);
        }
        catch (FlashOperationException error)
        {
            throw new AttemptFailedException(Diagnoses.SerialWriteFailed(record.Text, record.Address, error.Message));
        }

        var back = new byte[record.Bytes.Length];
        await _probe.Memory.ReadAsync(record.Address, back, AccessWidth.Word, cancellationToken).ConfigureAwait(false);
        var span = record.Bytes.Span;
        for (var i = 0; i < back.Length; i++)
        {
            if (back[i] != span[i])
            {
                throw new AttemptFailedException(Diagnoses.SerialWriteFailed(record.Text, record.Address,
                    string.Create(s_inv, $"read back 0x{back[i]:X2} at {EvidenceFormat.Hex32(record.Address + (uint)i)}, expected 0x{span[i]:X2}")));
            }
        }

        _serialWritten = record;
        return string.Create(s_inv, $"serial {record.Text}: {back.Length} bytes at {EvidenceFormat.Hex32(record.Address)} written and read back");
    }

    private async ValueTask<string?> FinalizeAsync(CancellationToken cancellationToken)
    {
        var driver = _driver!;
        var policy = _recipe.OptionBytes;
        if (_directFlash is not null)
        {
            if (policy.UserBits.Count > 0 || policy.FinalRdp != RdpLevel.Level0)
            {
                throw new AttemptFailedException(new Diagnosis(FailureCode.OptionBytesWriteFailed, AttemptPhase.Finalize,
                    $"The recipe sets option bytes (RDP level {(int)policy.FinalRdp}, {policy.UserBits.Count} user fields), which cannot be reached through this probe: {_directFlash}. Program this product through a probe that reaches the flash controller.",
                    [new Evidence("Option bytes", "not available: " + _directFlash, "readable and writable")]));
            }

            await _probe.Core.ResetAndRunAsync(cancellationToken).ConfigureAwait(false);
            return NotAvailable("option bytes: " + _directFlash) + "; reset and running";
        }

        var current = _obAfter!;
        var fields = policy.UserBits.Where(b => !current.Fields.TryGetValue(b.Key, out var v) || v != b.Value).ToDictionary(b => b.Key, b => b.Value);
        var notes = new List<string>();
        if (fields.Count > 0 || policy.FinalRdp != current.Rdp)
        {
            var change = new OptionByteChange(Rdp: policy.FinalRdp != current.Rdp ? policy.FinalRdp : null, Fields: fields.Count > 0 ? fields : null);
            var after = await driver.WriteOptionBytesAsync(change, cancellationToken).ConfigureAwait(false);
            _obAfter = after;
            var wrong = policy.UserBits.Where(b => !after.Fields.TryGetValue(b.Key, out var v) || v != b.Value)
                .Select(b => new Evidence(b.Key, after.Fields.TryGetValue(b.Key, out var v) ? EvidenceFormat.Int(v) : "missing", EvidenceFormat.Int(b.Value))).ToList();
            if (after.Rdp != policy.FinalRdp)
            {
                wrong.Insert(0, new Evidence("RDP level", EvidenceFormat.Int((int)after.Rdp), EvidenceFormat.Int((int)policy.FinalRdp)));
            }

            if (wrong.Count > 0)
            {
                throw new AttemptFailedException(new Diagnosis(FailureCode.OptionBytesWriteFailed, AttemptPhase.Finalize,
                    $"Final option bytes could not be written: {string.Join("; ", wrong.Select(w => $"{w.Name} reads {w.Measured}, expected {w.Expected}"))}. Power-cycle the board and press Start again.",
                    wrong));
            }

            notes.Add(string.Create(s_inv, $"option bytes written: RDP level {(int)after.Rdp}, {fields.Count} user fields"));
        }

        if (_obAfter?.Rdp == RdpLevel.Level2)
        {
            // Level 2 closes the debug port as it loads (stm32-targets.md §4.1): the flash controller and the core can
            // no longer be reached over SWD, so the board is reset on NRST, which the probe drives without SWD.
            await _probe.DriveResetLineAsync(ResetLineAction.Assert, cancellationToken).ConfigureAwait(false);
            await _probe.DriveResetLineAsync(ResetLineAction.Release, cancellationToken).ConfigureAwait(false);
            notes.Add("debug port closed for good by RDP level 2; reset on NRST and running");
            return string.Join("; ", notes);
        }

        await driver.LockAsync(cancellationToken).ConfigureAwait(false);
        await _probe.Core.ResetAndRunAsync(cancellationToken).ConfigureAwait(false);
        notes.Add("flash locked, reset and running");
        return string.Join("; ", notes);
    }

    /// <summary>Turns driver progress into phase events, in order, on the attempt's thread.</summary>
    private sealed class FlashProgressReporter(AttemptRun run, long offset, long doneBefore = 0, long? total = null) : IProgress<FlashProgress>
    {
        public void Report(FlashProgress value)
        {
            var all = total ?? (offset * 2) + value.Total;
            run.ReportProgress(doneBefore + offset + value.Done, offset > 0 ? (offset * 2) : all);
        }
    }
}

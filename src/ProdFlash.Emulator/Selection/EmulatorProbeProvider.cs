using Microsoft.Extensions.Logging;

using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Probes;
using ProdFlash.Core.Targets;
using ProdFlash.Emulator.StLink;
using ProdFlash.Probes.StLink;

namespace ProdFlash.Emulator.Selection;

/// <summary>
/// Opens <c>emulator://CHIP?probe=...&amp;faults=...</c> selectors: the emulated slot (chip model, board faults, probe
/// personality, modeled clock) behind the in-process wire, driven by the real <see cref="StLinkProbe"/> and
/// <see cref="StLinkTarget"/>.
/// </summary>
/// <remarks>
/// Each distinct selector is one emulated slot, built at its first open and kept for the provider's lifetime: closing
/// and reopening a probe finds the same chip (programmed flash, option bytes, an unplugged probe stays unplugged), as
/// on a fixture. Slots are numbered in order of first open, which gives each its own chip UID; the probe serial comes from the
/// selector text (<see cref="EmulatedProbes.SerialNumberOf"/>), the same in every run. Two
/// runners must not open the same selector at once (one runner owns one probe). Thread-safe.
/// </remarks>
public sealed class EmulatorProbeProvider : IProbeProvider
{
    private readonly EmulatorProbeProviderOptions _options;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly Dictionary<string, EmulatedStLink> _slots = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Creates the provider.</summary>
    /// <param name="options">Time mode and driver tuning; defaults to virtual time.</param>
    /// <param name="loggerFactory">Logger source for the drivers (WAIT retries, cleanup failures).</param>
    public EmulatorProbeProvider(EmulatorProbeProviderOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new EmulatorProbeProviderOptions();
        _loggerFactory = loggerFactory;
    }

    /// <inheritdoc />
    public string Scheme => ProbeSelector.EmulatorScheme;

    /// <summary>
    /// The emulated probe (and through it the chip) of <paramref name="selector"/>'s slot, built on first use: for
    /// tests and the demo to inspect counters, the modeled clock or the chip.
    /// </summary>
    /// <exception cref="ProbeSelectorException">Not an emulator selector, or it names an unknown chip, personality or fault.</exception>
    public EmulatedStLink Slot(ProbeSelector selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        if (selector.Kind != ProbeSelectorKind.Emulator)
        {
            throw new ProbeSelectorException(selector.ToString(), $"'{selector}' is not an emulator selector; the emulator opens emulator://CHIP?probe=...&faults=... selectors.");
        }

        var key = selector.ToString();
        lock (_gate)
        {
            if (_slots.TryGetValue(key, out var slot))
            {
                return slot;
            }

            EmulatorSelector parsed;
            try
            {
                parsed = EmulatorSelector.Parse(key);
                slot = EmulatedProbes.Create(parsed, _slots.Count, _options.TimeProvider, _options.RealTime);
            }
            catch (EmulatorConfigurationException ex)
            {
                throw new ProbeSelectorException(key, $"'{key}' is not a usable emulator selector: {ex.Message}");
            }

            _slots.Add(key, slot);
            return slot;
        }
    }

    /// <summary>Builds (or finds) the slot, opens a wire to it and returns the opened driver.</summary>
    /// <exception cref="ProbeSelectorException">The selector names an unknown chip, personality or fault.</exception>
    /// <exception cref="ProbeOpenException">The emulated probe is unplugged or does not answer (<see cref="FailureCode.ProbeNotFound"/>).</exception>
    public async ValueTask<IDebugProbe> OpenAsync(ProbeSelector selector, CancellationToken cancellationToken)
    {
        var slot = Slot(selector);
        var time = _options.RealTime ? _options.TimeProvider : new ModeledTimeProvider(slot.Clock);
        var probe = new StLinkProbe(
            new EmulatedStLinkWire(slot),
            _options.ProbeOptions with { TimeProvider = time },
            _loggerFactory?.CreateLogger<StLinkProbe>());
        var opened = false;
        try
        {
            await probe.OpenAsync(cancellationToken).ConfigureAwait(false);
            opened = true;
        }
        catch (Exception ex) when (ex is StLinkException or StLinkTransportException)
        {
            throw new ProbeOpenException(selector.ToString(), FailureCode.ProbeNotFound, $"The emulated probe of '{selector}' does not answer: {ex.Message}", ex);
        }
        finally
        {
            if (!opened)
            {
                await probe.DisposeAsync().ConfigureAwait(false);
            }
        }

        // What USB discovery would see of this probe (stlink-protocol.md §6): a 12-byte binary serial descriptor, and
        // another emulated probe of this provider with the same serial.
        var personality = slot.Personality;
        var signals = personality.HasBinarySerial ? CloneProbeSignals.BinarySerial : CloneProbeSignals.None;
        lock (_gate)
        {
            if (_slots.Values.Count(s => s.Personality.Serial == personality.Serial) > 1)
            {
                signals |= CloneProbeSignals.DuplicateSerial;
            }
        }

        return new StLinkTarget(probe, time, personality.Serial, signals);
    }
}

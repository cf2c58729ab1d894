namespace ProdFlash.Core.Targets;

/// <summary>Things a probe may be unable to do or measure at all (as opposed to trying and failing).</summary>
[Flags]
public enum ProbeFeatures
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>Measuring the target voltage on a sense pin (Power phase).</summary>
    TargetVoltage = 1 << 0,

    /// <summary>Driving NRST (connect under reset, reset pulse).</summary>
    ResetLine = 1 << 1,

    /// <summary>Setting the SWD clock.</summary>
    SwdClock = 1 << 2,

    /// <summary>Reading the debug port's DPIDR (Connect, Identify evidence).</summary>
    DebugPortIdentity = 1 << 3,

    /// <summary>Raw DP/AP register access (<see cref="IDebugProbe.Dap"/>).</summary>
    DapRegisters = 1 << 4,
}

/// <summary>
/// Implemented by an <see cref="IDebugProbe"/> that cannot do some of what the attempt's phases ask for (a GDB server
/// has no target-voltage sense and no NRST of its own), so the engine reports those checks as not available instead
/// of passing or failing them.
/// </summary>
/// <remarks>Immutable after the probe is opened; safe to read from any thread. A probe without this interface has every feature.</remarks>
public interface IProbeAvailability
{
    /// <summary>The features this probe does not have.</summary>
    ProbeFeatures Unavailable { get; }

    /// <summary>Why <paramref name="feature"/> is not available, in an operator's words; null when it is available.</summary>
    string? WhyUnavailable(ProbeFeatures feature);
}

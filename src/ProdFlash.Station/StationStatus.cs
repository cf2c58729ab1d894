using ProdFlash.Core.Diagnostics;

namespace ProdFlash.Station;

/// <summary>What a slot is doing.</summary>
public enum SlotState
{
    /// <summary>Bound to its probe and waiting for a Start.</summary>
    Idle,

    /// <summary>Running an attempt.</summary>
    Running,

    /// <summary>Not programmed by a Start: disabled in configuration or by probe binding (see the reason).</summary>
    Disabled,
}

/// <summary>The last finished attempt of a slot, as an operator reads it.</summary>
/// <param name="AttemptId">The attempt's record key.</param>
/// <param name="Passed">Whether it passed.</param>
/// <param name="Code">The failure code when it failed.</param>
/// <param name="Title">The failure's operator title (or "Passed").</param>
/// <param name="Remedy">The first remedy for the failure, when there is one.</param>
/// <param name="Serial">The serial written to the unit, when it passed.</param>
/// <param name="McuUid">The unit's MCU UID, when the attempt read it.</param>
public sealed record SlotResult(long AttemptId, bool Passed, FailureCode? Code, string Title, string? Remedy, string? Serial, string? McuUid = null);

/// <summary>An immutable snapshot of one slot.</summary>
/// <param name="Position">Position in the fixture, from 1.</param>
/// <param name="Probe">The probe selector.</param>
/// <param name="State">What it is doing.</param>
/// <param name="Reason">Why it is disabled, when it is.</param>
/// <param name="Phase">The phase of the running attempt.</param>
/// <param name="Progress">Progress of the running phase, 0 to 1.</param>
/// <param name="LastResult">The last finished attempt.</param>
public sealed record SlotStatus(int Position, string Probe, SlotState State, string? Reason, string? Phase, double Progress, SlotResult? LastResult);

/// <summary>An immutable snapshot of one fixture.</summary>
/// <param name="Name">The fixture's name.</param>
/// <param name="Recipe">The recipe file it runs.</param>
/// <param name="RunId">The run in progress, when one is.</param>
/// <param name="Slots">Its slots in position order.</param>
public sealed record FixtureStatus(string Name, string Recipe, long? RunId, IReadOnlyList<SlotStatus> Slots);

/// <summary>An immutable snapshot of the station.</summary>
/// <param name="Name">The station's name.</param>
/// <param name="Version">Increases with every change; a subscriber that saw this version has seen everything before it.</param>
/// <param name="DemoMode">Whether emulated probes run on wall-clock time.</param>
/// <param name="Fixtures">The fixtures in configuration order.</param>
public sealed record StationStatus(string Name, long Version, bool DemoMode, IReadOnlyList<FixtureStatus> Fixtures);

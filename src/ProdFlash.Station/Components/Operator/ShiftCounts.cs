namespace ProdFlash.Station.Components.Operator;

/// <summary>A fixture's finished attempts in the current shift, as the operator's counters show them.</summary>
/// <param name="Shift">The shift's name.</param>
/// <param name="Since">When the shift started.</param>
/// <param name="Passed">Attempts that passed.</param>
/// <param name="Failed">Attempts that failed (aborted and interrupted ones are neither).</param>
public sealed record ShiftCounts(string Shift, DateTimeOffset Since, int Passed, int Failed)
{
    /// <summary>Passed per decided attempt (passed + failed), 0 to 1; null before the first one.</summary>
    public double? Yield => Passed + Failed == 0 ? null : (double)Passed / (Passed + Failed);

    /// <summary>The yield as the counter shows it: "87.5 %", or "–" before the first attempt.</summary>
    public string YieldText => Yield is { } y ? (y * 100).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " %" : "–";
}

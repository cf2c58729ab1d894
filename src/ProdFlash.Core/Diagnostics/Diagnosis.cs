namespace ProdFlash.Core.Diagnostics;

/// <summary>One measured fact behind a diagnosis, as shown to the operator and stored with the attempt.</summary>
/// <param name="Name">What was measured ("Target voltage", "SW-DP IDCODE").</param>
/// <param name="Measured">The measured value, formatted culture-invariantly ("0.00", "0x2BA01477").</param>
/// <param name="Expected">The expected value or window ("3.00..3.60", "0x1BA01477"), or null when there is none.</param>
/// <param name="Unit">The unit ("V", "kHz", "KiB"), or null for identifiers and counts.</param>
public sealed record Evidence(string Name, string Measured, string? Expected = null, string? Unit = null);

/// <summary>
/// Why an attempt failed, in words an operator understands: the code, its title, a one-paragraph summary that
/// carries the measured evidence, the evidence itself, the ranked causes and the remedies, and the phase it
/// happened in. Build one with <see cref="Diagnoses"/>.
/// </summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed record Diagnosis
{
    /// <summary>Creates a diagnosis; title, causes and remedies come from <see cref="FailureCatalog"/>.</summary>
    /// <param name="code">The failure code.</param>
    /// <param name="phase">The phase the failure happened in.</param>
    /// <param name="summary">The one-paragraph summary with the measured evidence.</param>
    /// <param name="evidence">The measured facts.</param>
    public Diagnosis(FailureCode code, AttemptPhase phase, string summary, IReadOnlyList<Evidence> evidence)
        : this(code, phase, summary, evidence, null)
    {
    }

    /// <summary>
    /// Creates a diagnosis whose causes were ranked for this case from what was measured (for example, "no answer on
    /// SWD" after the same board answered on this slot before); title and remedies come from <see cref="FailureCatalog"/>.
    /// </summary>
    /// <param name="code">The failure code.</param>
    /// <param name="phase">The phase the failure happened in.</param>
    /// <param name="summary">The one-paragraph summary with the measured evidence.</param>
    /// <param name="evidence">The measured facts.</param>
    /// <param name="rankedCauses">The causes, most likely first, each naming its evidence; null or empty for the catalog's.</param>
    public Diagnosis(FailureCode code, AttemptPhase phase, string summary, IReadOnlyList<Evidence> evidence, IReadOnlyList<CitedText>? rankedCauses)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(summary);
        ArgumentNullException.ThrowIfNull(evidence);
        var info = FailureCatalog.Get(code);
        Code = code;
        Phase = phase;
        Title = info.Title;
        Summary = summary;
        Evidence = evidence;
        Causes = rankedCauses is { Count: > 0 } ? rankedCauses : info.Causes;
        Remedies = info.Remedies;
    }

    /// <summary>The failure code.</summary>
    public FailureCode Code { get; }

    /// <summary>The operator title of <see cref="Code"/>.</summary>
    public string Title { get; }

    /// <summary>One paragraph: what was measured, what was expected, what to do first.</summary>
    public string Summary { get; }

    /// <summary>The measured facts, in the order they are mentioned in <see cref="Summary"/>.</summary>
    public IReadOnlyList<Evidence> Evidence { get; }

    /// <summary>Likely causes, most likely first.</summary>
    public IReadOnlyList<CitedText> Causes { get; }

    /// <summary>What to do, first thing to try first.</summary>
    public IReadOnlyList<CitedText> Remedies { get; }

    /// <summary>The phase the failure happened in.</summary>
    public AttemptPhase Phase { get; }

    /// <summary>Returns <see cref="Summary"/>.</summary>
    public override string ToString() => Summary;
}

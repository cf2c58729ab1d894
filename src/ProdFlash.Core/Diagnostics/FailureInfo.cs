namespace ProdFlash.Core.Diagnostics;

/// <summary>A sentence for an operator with the source it rests on.</summary>
/// <param name="Text">The sentence, in words an operator understands.</param>
/// <param name="Source">Where the fact comes from: a section of <c>reference/stm32-targets.md</c> or
/// <c>reference/stlink-protocol.md</c>, or "DESIGN §n" for the station's own behaviour.</param>
public sealed record CitedText(string Text, string Source);

/// <summary>What the station knows about one failure code: its title, likely causes (most likely first) and remedies.</summary>
/// <param name="Code">The failure code.</param>
/// <param name="Title">A short operator title ("Target not powered").</param>
/// <param name="Causes">Likely causes, most likely first.</param>
/// <param name="Remedies">What to do, first thing to try first.</param>
public sealed record FailureInfo(FailureCode Code, string Title, IReadOnlyList<CitedText> Causes, IReadOnlyList<CitedText> Remedies);

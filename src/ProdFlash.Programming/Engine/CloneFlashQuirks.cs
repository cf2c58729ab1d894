namespace ProdFlash.Programming.Engine;

/// <summary>How look-alike MCUs' flash controllers differ from ST's in ways that change how they must be programmed.</summary>
public static class CloneFlashQuirks
{
    /// <summary>
    /// Look-alike families whose flash does not stall the bus while busy and silently drops a half-word written
    /// before BSY clears, so a block write (the fast strategy) loses data: APM32F103 ("Only one half-word gets
    /// written"; the host must wait for BSY between half-words — embassy-stm32 `src/flash/f1f3.rs` commit
    /// 4239a438, cited in reference/stm32-targets.md §5.3 "Behavioural").
    /// </summary>
    public static IReadOnlySet<string> LoseWritesWhileBusy { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "APM32" };

    /// <summary>Whether <paramref name="cloneFamily"/> needs one programming unit per round trip with BSY polled in between.</summary>
    public static bool LosesWritesWhileBusy(string? cloneFamily) => cloneFamily is not null && LoseWritesWhileBusy.Contains(cloneFamily);
}

using ProdFlash.Core.Targets;

namespace ProdFlash.Core.Probes;

/// <summary>Opens the probes of one selector scheme (<c>stlink</c>, <c>emulator</c>, ...).</summary>
/// <remarks>
/// Implementations are thread-safe: several slot runners may open their probes at the same time. The probe returned
/// belongs to the caller, who disposes it; it is open (firmware version read) but not yet connected to the target.
/// </remarks>
public interface IProbeProvider
{
    /// <summary>The scheme this provider opens, lower case without <c>://</c> (e.g. <c>stlink</c>).</summary>
    string Scheme { get; }

    /// <summary>Opens the probe <paramref name="selector"/> names.</summary>
    /// <exception cref="ProbeOpenException">The probe cannot be opened; the message says why and what to do.</exception>
    /// <exception cref="ProbeSelectorException">The selector is well-formed but names something this provider does not have.</exception>
    ValueTask<IDebugProbe> OpenAsync(ProbeSelector selector, CancellationToken cancellationToken);
}

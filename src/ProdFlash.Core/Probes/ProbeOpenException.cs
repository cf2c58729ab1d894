using ProdFlash.Core.Diagnostics;

namespace ProdFlash.Core.Probes;

/// <summary>
/// A well-formed selector could not be opened: the probe is not attached, its serial is not unique, the operating
/// system refuses access, the server is unreachable, or no provider handles the scheme. <see cref="Code"/> is the
/// failure code the attempt records.
/// </summary>
public sealed class ProbeOpenException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="selector">The selector that could not be opened.</param>
    /// <param name="code">The failure code for the attempt record.</param>
    /// <param name="message">What failed and what to do.</param>
    /// <param name="innerException">The transport-level cause, if any.</param>
    public ProbeOpenException(string selector, FailureCode code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Selector = selector;
        Code = code;
    }

    /// <summary>The selector that could not be opened, as text.</summary>
    public string Selector { get; }

    /// <summary>The failure code for the attempt record (e.g. <see cref="FailureCode.ProbeNotFound"/>).</summary>
    public FailureCode Code { get; }
}

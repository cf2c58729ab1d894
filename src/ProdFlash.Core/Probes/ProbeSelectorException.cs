namespace ProdFlash.Core.Probes;

/// <summary>A text is not a probe selector; the message quotes it, says which part is wrong and how to write it.</summary>
public sealed class ProbeSelectorException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="selector">The text as given.</param>
    /// <param name="message">What is wrong and how to write it.</param>
    public ProbeSelectorException(string selector, string message)
        : base(message)
    {
        Selector = selector;
    }

    /// <summary>The text as given.</summary>
    public string Selector { get; }
}

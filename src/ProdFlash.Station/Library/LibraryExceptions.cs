namespace ProdFlash.Station.Library;

/// <summary>Base of the image library's and recipe store's own errors; the message says what was wrong and what to do.</summary>
public abstract class LibraryException : Exception
{
    /// <summary>Creates the exception with a message naming the problem.</summary>
    protected LibraryException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>The named image or recipe is not in the library (HTTP 404).</summary>
public sealed class LibraryItemNotFoundException : LibraryException
{
    /// <summary>Creates the exception.</summary>
    public LibraryItemNotFoundException(string message)
        : base(message)
    {
    }
}

/// <summary>The input (image file, recipe JSON, a field) is invalid (HTTP 400).</summary>
public sealed class LibraryValidationException : LibraryException
{
    /// <summary>Creates the exception.</summary>
    public LibraryValidationException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>The change is not allowed in the item's state: Released is immutable, a transition is out of order, a name is taken (HTTP 409).</summary>
public sealed class LibraryStateException : LibraryException
{
    /// <summary>Creates the exception.</summary>
    public LibraryStateException(string message)
        : base(message)
    {
    }
}

/// <summary>A release was attempted by the user who uploaded or created the item while the two-person rule is on (HTTP 409).</summary>
public sealed class TwoPersonRuleException : LibraryException
{
    /// <summary>Creates the exception.</summary>
    public TwoPersonRuleException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// A stored image file no longer hashes to its SHA-256 (tampered or corrupted on disk), or is missing. Before an attempt
/// this is <c>ImageIntegrityFailed</c>: nothing is programmed.
/// </summary>
public sealed class ImageIntegrityException : LibraryException
{
    /// <summary>Creates the exception.</summary>
    public ImageIntegrityException(string expectedSha256, string? actualSha256, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ExpectedSha256 = expectedSha256;
        ActualSha256 = actualSha256;
    }

    /// <summary>The SHA-256 the library recorded at import.</summary>
    public string ExpectedSha256 { get; }

    /// <summary>The SHA-256 of what is on disk now; null when the file is missing or no longer parses.</summary>
    public string? ActualSha256 { get; }
}

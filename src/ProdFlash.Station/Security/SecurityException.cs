namespace ProdFlash.Station.Security;

/// <summary>A request about users or API keys is invalid (HTTP 400) or names an unknown key (HTTP 404 via <see cref="IsNotFound"/>).</summary>
public sealed class ApiKeyException : Exception
{
    /// <summary>Creates the exception with a message naming the problem and what to do.</summary>
    public ApiKeyException(string message, bool isNotFound = false)
        : base(message)
    {
        IsNotFound = isNotFound;
    }

    /// <summary>True when the key or user named does not exist.</summary>
    public bool IsNotFound { get; }
}

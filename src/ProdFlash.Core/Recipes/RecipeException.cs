namespace ProdFlash.Core.Recipes;

/// <summary>A recipe file is malformed or fails validation. The message names the file, the JSON key path and what is wrong.</summary>
public sealed class RecipeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RecipeException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RecipeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public RecipeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="keyPath"/> in <paramref name="source"/>.</summary>
    /// <param name="source">The file name ("recipe.json").</param>
    /// <param name="keyPath">The JSON key path ("$.voltage.min"), or "$" for the whole document.</param>
    /// <param name="problem">What is wrong and, where it helps, what to write instead.</param>
    /// <param name="innerException">The exception that caused it, if any.</param>
    public RecipeException(string source, string keyPath, string problem, Exception? innerException = null)
        : base($"{source}: {problem}", innerException)
    {
        Source = source;
        KeyPath = keyPath;
    }

    /// <summary>The JSON key path of the offending value, when known.</summary>
    public string? KeyPath { get; }
}

namespace ProdFlash.Core.Serialization;

/// <summary>A serial scheme, template or record layout is wrong (a definition error, found before any unit is serialized).</summary>
public class SerialSchemeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SerialSchemeException()
    {
    }

    /// <summary>Creates the exception with a message that names what is wrong and what to do.</summary>
    public SerialSchemeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public SerialSchemeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A serial text template has a syntax error.</summary>
public sealed class SerialTemplateException : SerialSchemeException
{
    /// <summary>Creates the exception.</summary>
    public SerialTemplateException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SerialTemplateException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public SerialTemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="template"/> with the zero-based character position of the error.</summary>
    public SerialTemplateException(string template, int position, string problem)
        : base($"Serial template \"{template}\" at character {position + 1}: {problem}")
    {
        Template = template;
        Position = position;
    }

    /// <summary>The template text, when known.</summary>
    public string? Template { get; }

    /// <summary>Zero-based position of the error in <see cref="Template"/>.</summary>
    public int Position { get; }
}

/// <summary>A value cannot be rendered into the record (too big for its field, not ASCII, out of the series).</summary>
public class SerialValueException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SerialValueException()
    {
    }

    /// <summary>Creates the exception with a message that names the value, the field and its limit.</summary>
    public SerialValueException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public SerialValueException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The sequence would take a MAC address outside the block the scheme owns.</summary>
public sealed class MacBlockExhaustedException : SerialValueException
{
    /// <summary>Creates the exception.</summary>
    public MacBlockExhaustedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MacBlockExhaustedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public MacBlockExhaustedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

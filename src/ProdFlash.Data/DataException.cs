namespace ProdFlash.Data;

/// <summary>Base of the store's own errors; the message says what was wrong and what to do.</summary>
public class StationDataException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StationDataException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public StationDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public StationDataException()
    {
    }
}

/// <summary>A record the caller named does not exist (an attempt, a serial reservation...).</summary>
public sealed class RecordNotFoundException : StationDataException
{
    /// <summary>Creates the exception.</summary>
    public RecordNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public RecordNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RecordNotFoundException()
    {
    }
}

/// <summary>A record is not in the state the operation needs (committing a voided serial, finishing a finished attempt).</summary>
public sealed class InvalidRecordStateException : StationDataException
{
    /// <summary>Creates the exception.</summary>
    public InvalidRecordStateException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public InvalidRecordStateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public InvalidRecordStateException()
    {
    }
}

namespace ProdFlash.Emulator;

/// <summary>An emulator setting is wrong: an unknown personality, chip or fault, or a malformed selector.</summary>
public sealed class EmulatorConfigurationException : Exception
{
    /// <summary>Creates the exception with a message naming what was wrong and what to use instead.</summary>
    public EmulatorConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public EmulatorConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

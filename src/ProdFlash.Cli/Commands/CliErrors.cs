using System.CommandLine;
using ProdFlash.Core.Devices;
using ProdFlash.Core.Images;

namespace ProdFlash.Cli.Commands;

/// <summary>Bad input the user can fix (exit code 1).</summary>
internal sealed class CliInputException(string message) : Exception(message);

/// <summary>A usage error: an option value that makes no sense (exit code 2).</summary>
internal sealed class CliUsageException(string message) : Exception(message);

/// <summary>
/// The one place where the CLI turns exceptions into exit codes and one clear sentence on stderr.
/// </summary>
internal static class CliErrors
{
    /// <summary>Runs a command body; known failures become exit code 1 or 2 with the message on stderr.</summary>
    public static int Guard(ParseResult parse, Func<int> body)
    {
        var error = parse.InvocationConfiguration.Error;
        try
        {
            return body();
        }
        catch (CliUsageException ex)
        {
            error.WriteLine(ex.Message);
            return CliApp.ExitUsage;
        }
        catch (Exception ex) when (ex is CliInputException or ImageParseException or DeviceCatalogException)
        {
            error.WriteLine(ex.Message);
            return CliApp.ExitBadInput;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            error.WriteLine($"File not found: {ex.Message}");
            return CliApp.ExitBadInput;
        }
        catch (UnauthorizedAccessException ex)
        {
            error.WriteLine($"Permission denied: {ex.Message}");
            return CliApp.ExitBadInput;
        }
        catch (IOException ex)
        {
            error.WriteLine($"I/O error: {ex.Message}");
            return CliApp.ExitBadInput;
        }
    }
}

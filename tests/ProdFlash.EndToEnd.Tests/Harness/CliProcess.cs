using ProdFlash.Testing;

namespace ProdFlash.EndToEnd.Tests.Harness;

/// <summary>The real <c>prodflash</c> command line (<c>prodflash.dll</c> from its own build folder) run as a child process.</summary>
public static class CliProcess
{
    /// <summary>Runs <c>prodflash</c> with <paramref name="arguments"/> from the repository root and returns what it left.</summary>
    /// <exception cref="InvalidOperationException">The CLI is not built.</exception>
    public static Task<ToolResult> RunAsync(IEnumerable<string> arguments, TimeSpan timeout)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var dll = Path.Combine(RepositoryPaths.Root, "src", "ProdFlash.Cli", "bin", configuration, "net10.0", "prodflash.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} does not exist; build the solution first (./test.sh does).");
        }

        return ExternalTool.RunAsync("dotnet", [dll, .. arguments], timeout, RepositoryPaths.Root);
    }
}

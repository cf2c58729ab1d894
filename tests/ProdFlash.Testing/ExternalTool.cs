using System.Diagnostics;
using Xunit;

namespace ProdFlash.Testing;

/// <summary>
/// Finds and runs tools nobody here wrote (srec_cat, objcopy, OpenOCD, QEMU...). A test that needs a missing tool
/// fails under <c>CI=true</c> and is skipped, with the Debian package to install, on a developer's machine.
/// </summary>
public static class ExternalTool
{
    /// <summary>Whether this run is CI (environment variable <c>CI=true</c>).</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns the full path of <paramref name="command"/> on PATH, or fails / skips the test.</summary>
    /// <param name="command">The executable name, e.g. <c>srec_cat</c>.</param>
    /// <param name="debianPackage">The Debian package that provides it, e.g. <c>srecord</c>.</param>
    public static string Require(string command, string debianPackage)
    {
        var path = Find(command);
        if (path is not null)
        {
            return path;
        }

        var message = $"'{command}' is not installed; install the Debian package '{debianPackage}' (./test.sh does this when run as root).";
        if (IsCi)
        {
            Assert.Fail(message);
        }

        Assert.Skip(message);
        return string.Empty;
    }

    /// <summary>Returns the full path of <paramref name="command"/> on PATH, or null.</summary>
    public static string? Find(string command)
    {
        var pathVariable = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in pathVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, command);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Runs a tool to completion and returns its exit code, standard output and standard error.</summary>
    /// <exception cref="TimeoutException">The tool did not finish within <paramref name="timeout"/>; it is killed.</exception>
    public static async Task<ToolResult> RunAsync(string path, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {path}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(path)} did not finish within {timeout.TotalSeconds:0} s.");
        }

        return new ToolResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}

/// <summary>What a finished tool left behind.</summary>
/// <param name="ExitCode">The process exit code.</param>
/// <param name="StandardOutput">Everything it wrote to stdout.</param>
/// <param name="StandardError">Everything it wrote to stderr.</param>
public sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError);

using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ProdFlash.Station.Tests;

/// <summary>
/// The built station host (ProdFlash.Station.dll beside the tests) as a child process, configured by environment
/// variables; its output is kept for waits and failure messages, and disposing kills its whole process tree.
/// </summary>
internal sealed class StationChild : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();
    private readonly TimeSpan _limit;

    private StationChild(Process process, TimeSpan limit)
    {
        _process = process;
        _limit = limit;
        _process.OutputDataReceived += (_, e) => Receive(e.Data);
        _process.ErrorDataReceived += (_, e) => Receive(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Everything the child printed so far, one line each.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>Starts the host in <paramref name="workingDirectory"/> with <paramref name="settings"/> (keys as in appsettings, e.g. <c>Station:AutoStartSeconds</c>).</summary>
    /// <param name="workingDirectory">The child's working directory.</param>
    /// <param name="settings">Configuration, passed as environment variables.</param>
    /// <param name="limit">How long each wait may take.</param>
    public static StationChild Start(string workingDirectory, IReadOnlyDictionary<string, string?> settings, TimeSpan limit)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ProdFlash.Station.dll"));
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["Logging__LogLevel__Default"] = "Information";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        return new StationChild(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"), limit);
    }

    /// <summary>Waits for an output line matching <paramref name="pattern"/>; returns its first group (or the whole match).</summary>
    public async Task<string> WaitForAsync(Regex pattern, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + _limit;
        while (DateTime.UtcNow < deadline)
        {
            lock (_gate)
            {
                foreach (var line in _lines)
                {
                    if (pattern.Match(line) is { Success: true } match)
                    {
                        return match.Groups.Count > 1 ? match.Groups[1].Value : match.Value;
                    }
                }
            }

            await Task.Delay(50, ct);
        }

        Assert.Fail($"No output line matched /{pattern}/ within {_limit.TotalSeconds} s; the output:\n{Output}");
        return string.Empty;
    }

    /// <summary>Waits for the child to exit; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(_limit);
        await _process.WaitForExitAsync(limit.Token);
        return _process.ExitCode;
    }

    /// <summary>Kills the child's process tree (SIGKILL on Linux) and waits for it.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Receive(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _lines.Add(line);
        }
    }
}

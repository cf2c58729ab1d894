using System.Diagnostics;
using System.Text.RegularExpressions;
using ProdFlash.Testing;

namespace ProdFlash.EndToEnd.Tests.Harness;

/// <summary>
/// The real station host (<c>ProdFlash.Station.dll</c> from its own build folder) as a child process on a loopback
/// port chosen by the OS, with its own data directory and settings given as environment variables.
/// </summary>
/// <remarks>
/// The host runs from the repository root (its content root), so the top-level <c>appsettings.json</c> (the demo
/// station) is its configuration and the settings given to <see cref="StartAsync"/> override it key by key (<c>Station:Fixtures:0:Name</c>).
/// Dispose kills the process tree and deletes the data directory.
/// </remarks>
public sealed partial class StationProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly TempDirectory _data;
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private StationProcess(Process process, TempDirectory data)
    {
        _process = process;
        _data = data;
        _process.OutputDataReceived += (_, e) => Receive(e.Data);
        _process.ErrorDataReceived += (_, e) => Receive(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The address the host listens on, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The station's data directory (its SQLite file is <c>prodflash.db</c> there).</summary>
    public string DataDirectory => _data.Path;

    /// <summary>Everything the host printed so far.</summary>
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

    /// <summary>Starts the host and waits until it listens.</summary>
    /// <param name="settings">Configuration overrides (<c>Section:Key</c> → value) on top of the demo appsettings.json.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public static async Task<StationProcess> StartAsync(IReadOnlyDictionary<string, string>? settings = null, CancellationToken cancellationToken = default)
    {
        var dll = Path.Combine(StationBuildFolder(), "ProdFlash.Station.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} does not exist; build the solution first (./test.sh does).");
        }

        var data = new TempDirectory();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        start.ArgumentList.Add(dll);
        start.Environment["Urls"] = "http://127.0.0.1:0";
        start.Environment["Data__DataDirectory"] = data.Path;
        start.Environment["Logging__LogLevel__Default"] = "Information";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var station = new StationProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"), data);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(StartLimit);
        try
        {
            station.BaseAddress = await station._listening.Task.WaitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var output = station.Output;
            await station.DisposeAsync();
            throw new TimeoutException($"The station did not listen within {StartLimit.TotalSeconds} s; its output:\n{output}");
        }

        return station;
    }

    /// <summary>Waits until a line of the host's output matches <paramref name="pattern"/> and returns its first group (or the line).</summary>
    public async Task<string> WaitForOutputAsync(Regex pattern, TimeSpan limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            lock (_gate)
            {
                foreach (var line in _lines)
                {
                    var match = pattern.Match(line);
                    if (match.Success)
                    {
                        return match.Groups.Count > 1 ? match.Groups[1].Value : match.Value;
                    }
                }
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException($"No output line matched /{pattern}/ within {limit.TotalSeconds} s; the output:\n{Output}");
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _data.Dispose();
    }

    // The host's own build folder (Debug or Release like this test), where its static web assets manifest lives.
    private static string StationBuildFolder()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        return Path.Combine(RepositoryPaths.Root, "src", "ProdFlash.Station", "bin", configuration, "net10.0");
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

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value.TrimEnd('/') + "/"));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}

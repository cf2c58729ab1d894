using Microsoft.Extensions.Options;

namespace ProdFlash.Station;

/// <summary>Runs the built host and turns a configuration error into one clear message and an exit code.</summary>
public static class StationHost
{
    /// <summary>The exit code when the configuration is wrong.</summary>
    public const int ConfigurationErrorExitCode = 2;

    /// <summary>Runs <paramref name="app"/> until shutdown.</summary>
    /// <returns>0 after a normal shutdown; <see cref="ConfigurationErrorExitCode"/> when a setting stopped the start.</returns>
    public static async Task<int> RunStationAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            await app.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync("The station did not start; fix these settings (appsettings.json or environment):").ConfigureAwait(false);
            foreach (var failure in ex.Failures)
            {
                await Console.Error.WriteLineAsync("  " + failure).ConfigureAwait(false);
            }

            return ConfigurationErrorExitCode;
        }
        catch (StationStartException ex)
        {
            await Console.Error.WriteLineAsync("The station did not start: " + ex.Message).ConfigureAwait(false);
            return ConfigurationErrorExitCode;
        }
    }
}

namespace ProdFlash.Station;

/// <summary>Resolves configured paths: relative ones are taken from the host's content root.</summary>
internal static class StationPaths
{
    /// <summary>The full path of <paramref name="configured"/>, relative paths taken from the content root.</summary>
    public static string Resolve(IHostEnvironment environment, string configured) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? "." : configured, environment.ContentRootPath);
}

namespace ProdFlash.Testing;

/// <summary>Paths inside the repository checkout the tests run from.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>The folder that holds <c>ProdFlash.sln</c>.</summary>
    public static string Root => s_root.Value;

    /// <summary>The sample firmware folder <c>firmware-images/</c>.</summary>
    public static string FirmwareImages => Path.Combine(Root, "firmware-images");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ProdFlash.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No ProdFlash.sln above {AppContext.BaseDirectory}; run the tests from the repository.");
    }
}

namespace ProdFlash.Testing;

/// <summary>A folder under the system temp directory that is deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates a fresh, empty folder.</summary>
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("prodflash-test-").FullName;
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>A path for a file named <paramref name="name"/> inside the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A tool may still hold a file open on a slow machine; a leftover temp folder harms nothing.
        }
    }
}

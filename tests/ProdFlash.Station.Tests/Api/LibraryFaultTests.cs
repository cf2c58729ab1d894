using System.Net;

using ProdFlash.Core.Images;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Api;

namespace ProdFlash.Station.Tests.Api;

public sealed class LibraryFaultTests(ApiTestHost host) : IClassFixture<ApiTestHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Upload_LibraryFolderNotWritable_ServiceUnavailableProblem_NothingRecorded_StationKeepsServing()
    {
        // Arrange: a plain file where the image's content folder must go (works as root too, unlike chmod).
        using var engineer = await host.ClientAsync(UserRole.Engineer, "fault-engineer");
        var bin = ApiTestData.DistinctBin("unwritable");
        using (var stream = new MemoryStream(bin))
        {
            var sha = ImageReader.Read(stream, "x.bin", ImageFormat.Binary, 0x0800_0000).Sha256;
            Directory.CreateDirectory(host.LibraryFolder);
            await File.WriteAllTextAsync(Path.Combine(host.LibraryFolder, sha[..2]), "in the way", Ct);
        }

        // Act
        using var form = ApiTestData.Upload(bin, "app.bin", ("baseAddress", "0x08000000"));
        using var failed = await engineer.PostAsync("/api/images", form, Ct);
        var images = await (await engineer.GetAsync("/api/images", Ct)).ReadAsync<ImageDto[]>();
        var other = await ApiTestData.UploadBinAsync(engineer, [.. ApiTestData.DistinctBin("writable"), 0x5A]);

        // Assert
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Contains("Nothing was changed", await failed.ProblemDetailAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(images, i => i.FileName == "app.bin");
        Assert.Equal(ReleaseState.Draft, other.State);
    }
}

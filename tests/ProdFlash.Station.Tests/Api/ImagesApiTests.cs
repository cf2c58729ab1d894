using System.Net;

using ProdFlash.Core.Images;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Api;

namespace ProdFlash.Station.Tests.Api;

public sealed class ImagesApiTests(ApiTestHost host) : IClassFixture<ApiTestHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Upload_SampleHex_CreatesDraftKeyedByCoreSha256()
    {
        // Arrange
        using var client = await host.ClientAsync(UserRole.Engineer, "img-uploader");
        var bytes = await File.ReadAllBytesAsync(ApiTestData.SampleHexPath, Ct);
        using var form = ApiTestData.Upload(bytes, "sample-f103.hex", ("targetPart", "STM32F103C8"));

        // Act
        using var response = await client.PostAsync("/api/images", form, Ct);
        var again = await client.PostAsync("/api/images", ApiTestData.Upload(bytes, "renamed.hex"), Ct);

        // Assert
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK);
        var image = await response.ReadAsync<ImageDto>();
        Assert.Equal(ApiTestData.SampleSha256, image.Sha256);
        Assert.Equal(ImageFormat.IntelHex, image.Format);
        Assert.StartsWith("0x08000000+", image.Segments, StringComparison.Ordinal); // RM0008 §3.3.1: main flash at 0x0800 0000
        Assert.Equal("STM32F103C8", image.TargetPart, ignoreCase: true);
        Assert.Equal(ReleaseState.Draft, image.State);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode); // same content: the existing record, nothing new
        Assert.True(File.Exists(Path.Combine(host.LibraryFolder, image.Sha256[..2], image.Sha256 + ".hex")));
    }

    [Fact]
    public async Task Upload_MalformedHex_ProblemNamesFileAndLine()
    {
        // Arrange
        using var client = await host.ClientAsync(UserRole.Engineer, "img-uploader");
        using var form = ApiTestData.Upload("not a hex record\n"u8.ToArray(), "broken.hex");

        // Act
        using var response = await client.PostAsync("/api/images", form, Ct);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("broken.hex", await response.ProblemDetailAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("app.bin", null, "baseAddress")]
    [InlineData("app.txt", null, "extension")]
    [InlineData("app.bin", "0xZZ", "baseAddress")]
    public async Task Upload_MissingOrBadFields_ProblemNamesField(string fileName, string? baseAddress, string expected)
    {
        // Arrange
        using var client = await host.ClientAsync(UserRole.Engineer, "img-uploader");
        using var form = baseAddress is null
            ? ApiTestData.Upload([0x00, 0x50, 0x00, 0x20], fileName)
            : ApiTestData.Upload([0x00, 0x50, 0x00, 0x20], fileName, ("baseAddress", baseAddress));

        // Act
        using var response = await client.PostAsync("/api/images", form, Ct);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.ProblemDetailAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_NotMultipart_ProblemSaysMultipart()
    {
        // Arrange
        using var client = await host.ClientAsync(UserRole.Engineer, "img-uploader");

        // Act
        using var response = await client.PostAsync("/api/images", ApiTestData.JsonBody("{}"), Ct);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("multipart/form-data", await response.ProblemDetailAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_BinLargerThanF103C8Flash_ProblemSaysDoesNotFit()
    {
        // Arrange: STM32F103C8 has 64 KiB of flash (DS5319 table 2); 64 KiB + 1 byte at 0x08000000 overflows by one byte.
        using var client = await host.ClientAsync(UserRole.Engineer, "img-uploader");
        var bin = new byte[(64 * 1024) + 1];
        using var form = ApiTestData.Upload(bin, "big.bin", ("baseAddress", "0x08000000"), ("targetPart", "STM32F103C8"));

        // Act
        using var response = await client.PostAsync("/api/images", form, Ct);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = await response.ProblemDetailAsync();
        Assert.Contains("does not fit STM32F103C8", detail, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("1 bytes lie outside", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Release_ByUploader_ConflictTwoPersonRule_ByAnotherEngineer_Released()
    {
        // Arrange
        using var uploader = await host.ClientAsync(UserRole.Engineer, "rel-uploader");
        using var reviewer = await host.ClientAsync(UserRole.Engineer, "rel-reviewer");
        var image = await ApiTestData.UploadBinAsync(uploader, ApiTestData.DistinctBin("two-person"));

        // Act
        using var own = await uploader.PostAsync($"/api/images/{image.Sha256}/release", null, Ct);
        using var other = await reviewer.PostAsync($"/api/images/{image.Sha256}/release", null, Ct);
        using var twice = await reviewer.PostAsync($"/api/images/{image.Sha256}/release", null, Ct);

        // Assert
        Assert.Equal(HttpStatusCode.Conflict, own.StatusCode);
        Assert.Contains("two-person rule", await own.ProblemDetailAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        var released = await other.ReadAsync<ImageDto>();
        Assert.Equal(ReleaseState.Released, released.State);
        Assert.Equal("rel-reviewer", released.ReleasedBy);
        Assert.NotNull(released.ReleasedAt);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode); // Released is final: only a Draft can be released
    }

    [Fact]
    public async Task Obsolete_DraftThenReleased_ConflictThenObsolete()
    {
        // Arrange
        using var uploader = await host.ClientAsync(UserRole.Engineer, "obs-uploader");
        using var reviewer = await host.ClientAsync(UserRole.Admin, "obs-admin");
        var image = await ApiTestData.UploadBinAsync(uploader, ApiTestData.DistinctBin("obsolete"));

        // Act
        using var draft = await uploader.PostAsync($"/api/images/{image.Sha256}/obsolete", null, Ct);
        using var release = await reviewer.PostAsync($"/api/images/{image.Sha256}/release", null, Ct);
        using var obsolete = await uploader.PostAsync($"/api/images/{image.Sha256}/obsolete", null, Ct);

        // Assert
        Assert.Equal(HttpStatusCode.Conflict, draft.StatusCode);
        Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        var record = await obsolete.ReadAsync<ImageDto>();
        Assert.Equal(ReleaseState.Obsolete, record.State);
        Assert.NotNull(record.ObsoletedAt);
    }

    [Fact]
    public async Task Download_StoredImage_OriginalBytes_TamperedFile_ConflictIntegrity()
    {
        // Arrange
        using var client = await host.ClientAsync(UserRole.Engineer, "dl-engineer");
        var bin = ApiTestData.DistinctBin("download");
        var image = await ApiTestData.UploadBinAsync(client, bin);

        // Act
        var downloaded = await client.GetByteArrayAsync($"/api/images/{image.Sha256}/content", Ct);
        var path = Path.Combine(host.LibraryFolder, image.Sha256[..2], image.Sha256 + ".bin");
        var tampered = (byte[])bin.Clone();
        tampered[8] ^= 0xFF;
        await File.WriteAllBytesAsync(path, tampered, Ct);
        using var afterTamper = await client.GetAsync($"/api/images/{image.Sha256}/content", Ct);

        // Assert
        Assert.Equal(bin, downloaded);
        Assert.Equal(HttpStatusCode.Conflict, afterTamper.StatusCode);
        Assert.Contains("damaged or replaced", await afterTamper.ProblemDetailAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_UnknownSha_NotFoundProblem_BadSha_BadRequest()
    {
        // Arrange
        using var client = await host.ClientAsync(UserRole.Manager, "lookup-manager");

        // Act
        using var unknown = await client.GetAsync("/api/images/" + new string('0', 64), Ct);
        using var bad = await client.GetAsync("/api/images/xyz", Ct);

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("No image with SHA-256", await unknown.ProblemDetailAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("64 hex characters", await bad.ProblemDetailAsync(), StringComparison.Ordinal);
    }
}

using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

using ProdFlash.Core.Images;
using ProdFlash.Station.Api;
using ProdFlash.Testing;

namespace ProdFlash.Station.Tests.Api;

/// <summary>The sample F103 image, recipe JSON around it, and HTTP helpers shared by the API tests.</summary>
internal static class ApiTestData
{
    /// <summary>JSON options matching the station's (enums by name).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static string SampleHexPath => Path.Combine(RepositoryPaths.FirmwareImages, "samples", "blue-pill-f103c8", "blue-pill-f103c8.hex");

    public static string SampleBinPath => Path.Combine(RepositoryPaths.FirmwareImages, "samples", "blue-pill-f103c8", "blue-pill-f103c8.bin");

    /// <summary>The sample's content hash as Core computes it (what the library keys it by).</summary>
    public static string SampleSha256 => ImageReader.ReadFile(SampleHexPath).Sha256;

    /// <summary>A multipart upload of <paramref name="content"/> named <paramref name="fileName"/>, with optional form fields.</summary>
    public static MultipartFormDataContent Upload(byte[] content, string fileName, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new("application/octet-stream");
        form.Add(file, ImagesApi.FilePart, fileName);
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        return form;
    }

    /// <summary>A distinct valid image for one test: the sample's BIN with <paramref name="tag"/> appended (still inside 64 KiB).</summary>
    public static byte[] DistinctBin(string tag) => [.. File.ReadAllBytes(SampleBinPath), .. Encoding.ASCII.GetBytes(tag)];

    /// <summary>A recipe for STM32F103C8 naming the image by SHA-256.</summary>
    public static string RecipeJson(string name, string version, string sha256) => $$"""
        {
          // test recipe
          "name": "{{name}}",
          "version": "{{version}}",
          "image": { "sha256": "{{sha256}}" },
          "devices": [ { "part": "STM32F103C8" } ],
        }
        """;

    public static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<T>(Json, TestContext.Current.CancellationToken))!;

    /// <summary>The ProblemDetails' detail text.</summary>
    public static async Task<string> ProblemDetailAsync(this HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return document.RootElement.GetProperty("detail").GetString()!;
    }

    /// <summary>Uploads <paramref name="bin"/> as a BIN at 0x08000000 for STM32F103C8 and returns its record.</summary>
    public static async Task<ImageDto> UploadBinAsync(HttpClient client, byte[] bin, string fileName = "app.bin")
    {
        using var form = Upload(bin, fileName, ("baseAddress", "0x08000000"), ("targetPart", "STM32F103C8"));
        using var response = await client.PostAsync("/api/images", form, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return await response.ReadAsync<ImageDto>();
    }
}

using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Security;

namespace ProdFlash.Station.Tests.Api;

public sealed class KeysAndOpenApiTests(ApiTestHost host) : IClassFixture<ApiTestHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task IssueKey_ByAdmin_KeyWorksOnceShownStoredOnlyAsSha256_RevokeStopsIt()
    {
        // Arrange
        using var admin = await host.ClientAsync(UserRole.Admin);

        // Act
        using var issued = await admin.PostAsync("/api/keys", ApiTestData.JsonBody("""{"userName":"mes-line3","role":"Operator","name":"line 3 MES"}"""), Ct);
        var key = await issued.ReadAsync<IssuedApiKey>();
        using var operatorClient = host.Anonymous();
        operatorClient.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, key.Key);
        using var allowed = await operatorClient.GetAsync("/api/recipes", Ct);
        using var forbidden = await operatorClient.GetAsync("/api/keys", Ct);
        var listed = await (await admin.GetAsync("/api/keys", Ct)).Content.ReadAsStringAsync(Ct);
        ApiKey stored;
        await using (var context = host.Factory.Services.GetRequiredService<StationDatabase>().CreateContext())
        {
            stored = await context.ApiKeys.SingleAsync(k => k.Id == key.Id, Ct);
        }

        using var revoke = await admin.DeleteAsync($"/api/keys/{key.Id}", Ct);
        using var afterRevoke = await operatorClient.GetAsync("/api/recipes", Ct);

        // Assert
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        Assert.StartsWith(ApiKeyService.KeyPrefix, key.Key, StringComparison.Ordinal);
        Assert.Equal(32, Base64UrlLength(key.Key[ApiKeyService.KeyPrefix.Length..]));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.DoesNotContain(key.Key, listed, StringComparison.Ordinal);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key.Key))), stored.KeyHash);
        Assert.Equal(key.Key[..ApiKeyService.PrefixLength], stored.Prefix);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);
    }

    [Fact]
    public async Task IssueKey_ExistingUserOtherRole_ProblemNamesRole()
    {
        // Arrange
        using var admin = await host.ClientAsync(UserRole.Admin);
        await host.ClientAsync(UserRole.Manager, "role-clash");

        // Act
        using var response = await admin.PostAsync("/api/keys", ApiTestData.JsonBody("""{"userName":"role-clash","role":"Admin","name":"escalate"}"""), Ct);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("exists with role Manager", await response.ProblemDetailAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApiDocument_Served_DescribesEveryApiGroup()
    {
        // Arrange
        using var client = host.Anonymous();

        // Act
        using var response = await client.GetAsync("/openapi/v1.json", Ct);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/images", paths);
        Assert.Contains("/api/images/{sha256}/release", paths);
        Assert.Contains("/api/recipes/{id}/release", paths);
        Assert.Contains("/api/attempts/export.csv", paths);
        Assert.Contains("/api/units/uid/{uid}", paths);
        Assert.Contains("/api/keys", paths);
        var scheme = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty(ApiKeyAuthenticationHandler.SchemeName);
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
        Assert.Equal("header", scheme.GetProperty("in").GetString());
    }

    private static int Base64UrlLength(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text).Length;
}

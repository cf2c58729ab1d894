using System.Net;

using Microsoft.Extensions.DependencyInjection;

using ProdFlash.Data.Entities;
using ProdFlash.Station.Api;
using ProdFlash.Station.Runtime;
using ProdFlash.Station.Security;

namespace ProdFlash.Station.Tests.Api;

/// <summary>
/// Every endpoint of the API × every role, plus no key: an admitted role gets 2xx, any other 403, no key 401 — as
/// docs/api.md lists. Each case arranges its own records so the admitted call really succeeds.
/// </summary>
public sealed class RoleTableTests(ApiTestHost host) : IClassFixture<ApiTestHost>
{
    private static int s_case;

    /// <summary>Endpoint name → (policy, request built on fresh records).</summary>
    private static readonly Dictionary<string, (string Policy, Func<ApiTestHost, string, Task<HttpRequestMessage>> Request)> Endpoints = new()
    {
        ["GET status"] = (StationPolicies.AnyRole, (_, _) => Get("/api/status")),
        ["GET fixture"] = (StationPolicies.AnyRole, (_, _) => Get("/api/fixtures/F1")),
        ["GET slot"] = (StationPolicies.AnyRole, (_, _) => Get("/api/fixtures/F1/slots/1")),
        ["POST start"] = (StationPolicies.Operate, StartRequestAsync),
        ["POST abort"] = (StationPolicies.Operate, AbortRequestAsync),
        ["GET fixture recipe"] = (StationPolicies.AnyRole, (_, _) => Get("/api/fixtures/F1/recipe")),
        ["PUT fixture recipe"] = (StationPolicies.Engineer, AssignRequestAsync),
        ["DELETE fixture recipe"] = (StationPolicies.Engineer, async (h, _) =>
        {
            await ApiTestHost.WaitUntilIdleAsync(h, "F1");
            return new(HttpMethod.Delete, "/api/fixtures/F1/recipe");
        }
        ),
        ["GET images"] = (StationPolicies.Reports, (_, _) => Get("/api/images")),
        ["GET image"] = (StationPolicies.Reports, async (h, tag) => new(HttpMethod.Get, $"/api/images/{(await Draft(h, tag)).Image.Sha256}")),
        ["GET image content"] = (StationPolicies.Reports, async (h, tag) => new(HttpMethod.Get, $"/api/images/{(await Draft(h, tag)).Image.Sha256}/content")),
        ["POST image"] = (StationPolicies.Engineer, (_, tag) => Task.FromResult(new HttpRequestMessage(HttpMethod.Post, "/api/images")
        {
            Content = ApiTestData.Upload(ApiTestData.DistinctBin(tag), "role.bin", ("baseAddress", "0x08000000")),
        })),
        ["POST image release"] = (StationPolicies.Engineer, async (h, tag) => new(HttpMethod.Post, $"/api/images/{(await Draft(h, tag)).Image.Sha256}/release")),
        ["POST image obsolete"] = (StationPolicies.Engineer, async (h, tag) => new(HttpMethod.Post, $"/api/images/{(await Draft(h, tag, releaseImage: true)).Image.Sha256}/obsolete")),
        ["GET recipes"] = (StationPolicies.AnyRole, (_, _) => Get("/api/recipes")),
        ["GET recipe"] = (StationPolicies.AnyRole, async (h, tag) => new(HttpMethod.Get, $"/api/recipes/{(await Draft(h, tag)).Recipe.Id}")),
        ["POST recipe"] = (StationPolicies.Engineer, CreateRecipeRequestAsync),
        ["PUT recipe"] = (StationPolicies.Engineer, UpdateRecipeRequestAsync),
        ["POST recipe release"] = (StationPolicies.Engineer, async (h, tag) => new(HttpMethod.Post, $"/api/recipes/{(await Draft(h, tag, releaseImage: true)).Recipe.Id}/release")),
        ["POST recipe obsolete"] = (StationPolicies.Engineer, async (h, tag) => new(HttpMethod.Post, $"/api/recipes/{(await Released(h, tag)).Id}/obsolete")),
        ["GET runs"] = (StationPolicies.AnyRole, (_, _) => Get("/api/runs")),
        ["GET run"] = (StationPolicies.AnyRole, async (h, tag) => new(HttpMethod.Get, $"/api/runs/{(await Unit(h, tag)).RunId}")),
        ["GET attempts"] = (StationPolicies.AnyRole, (_, _) => Get("/api/attempts?pageSize=10")),
        ["GET attempts csv"] = (StationPolicies.Reports, (_, _) => Get("/api/attempts/export.csv")),
        ["GET unit by serial"] = (StationPolicies.AnyRole, async (h, tag) => new(HttpMethod.Get, $"/api/units/serial/{Uri.EscapeDataString((await Unit(h, tag)).Serial)}")),
        ["GET unit by uid"] = (StationPolicies.AnyRole, async (h, tag) => new(HttpMethod.Get, $"/api/units/uid/{(await Unit(h, tag)).McuUid}")),
        ["GET yield"] = (StationPolicies.Reports, (_, _) => Get("/api/reports/yield?by=Slot")),
        ["GET keys"] = (StationPolicies.Admin, (_, _) => Get("/api/keys")),
        ["POST key"] = (StationPolicies.Admin, (_, tag) => Task.FromResult(new HttpRequestMessage(HttpMethod.Post, "/api/keys")
        {
            Content = ApiTestData.JsonBody($$"""{"userName":"user-{{tag}}","role":"Operator","name":"line"}"""),
        })),
        ["DELETE key"] = (StationPolicies.Admin, async (h, tag) =>
            new(HttpMethod.Delete, $"/api/keys/{(await h.Keys.IssueAsync("victim-" + tag, UserRole.Operator, "to revoke", "test", cancellationToken: TestContext.Current.CancellationToken)).Id}")),
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var endpoint in Endpoints.Keys)
        {
            foreach (var caller in Enum.GetNames<UserRole>().Append("no key"))
            {
                data.Add(endpoint, caller);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Endpoint_Caller_AdmittedRoles2xx_Others403_NoKey401(string endpoint, string caller)
    {
        // Arrange
        var (policy, build) = Endpoints[endpoint];
        var tag = $"role-{Interlocked.Increment(ref s_case)}";
        using var request = await build(host, tag);
        using var client = caller == "no key" ? host.Anonymous() : await host.ClientAsync(Enum.Parse<UserRole>(caller), "role-" + caller.ToLowerInvariant());

        // Act
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        // Assert
        if (caller == "no key")
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        else if (StationPolicies.Roles[policy].Contains(Enum.Parse<UserRole>(caller)))
        {
            // An abort may find the run already ended on modeled time: then 409 "no run in progress", still not 401/403.
            var ok = response.IsSuccessStatusCode || (endpoint == "POST abort" && response.StatusCode == HttpStatusCode.Conflict);
            Assert.True(ok, $"{endpoint} as {caller}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        }
        else
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    [Fact]
    public async Task AnyEndpoint_RevokedOrUnknownKey_Unauthorized()
    {
        // Arrange
        var issued = await host.Keys.IssueAsync("revoked-user", UserRole.Admin, "soon revoked", "test", cancellationToken: TestContext.Current.CancellationToken);
        await host.Keys.RevokeAsync(issued.Id, "test", TestContext.Current.CancellationToken);
        using var revoked = host.Anonymous();
        revoked.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, issued.Key);
        using var unknown = host.Anonymous();
        unknown.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, "pf_" + new string('A', 43));

        // Act
        using var byRevoked = await revoked.GetAsync("/api/recipes", TestContext.Current.CancellationToken);
        using var byUnknown = await unknown.GetAsync("/api/recipes", TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, byRevoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, byUnknown.StatusCode);
    }

    private static async Task<HttpRequestMessage> StartRequestAsync(ApiTestHost host, string tag)
    {
        await ApiTestHost.WaitUntilIdleAsync(host, "F1");
        return new(HttpMethod.Post, "/api/fixtures/F1/start");
    }

    private static async Task<HttpRequestMessage> AbortRequestAsync(ApiTestHost host, string tag)
    {
        await ApiTestHost.WaitUntilIdleAsync(host, "F1");
        await host.Factory.Services.GetRequiredService<StationRuntime>().Fixtures["F1"].StartAsync("seed-operator", tag, TestContext.Current.CancellationToken);
        return new(HttpMethod.Post, "/api/fixtures/F1/abort");
    }

    private static async Task<HttpRequestMessage> AssignRequestAsync(ApiTestHost host, string tag)
    {
        var recipe = await Released(host, tag);
        await ApiTestHost.WaitUntilIdleAsync(host, "F1");
        return new(HttpMethod.Put, "/api/fixtures/F1/recipe") { Content = ApiTestData.JsonBody($$"""{"recipeId":{{recipe.Id}}}""") };
    }

    private static async Task<RecipeDto> Released(ApiTestHost host, string tag)
    {
        var recipe = (await Draft(host, tag, releaseImage: true)).Recipe;
        using var reviewer = await host.ClientAsync(UserRole.Engineer, "seed-reviewer");
        using var release = await reviewer.PostAsync($"/api/recipes/{recipe.Id}/release", null, TestContext.Current.CancellationToken);
        release.EnsureSuccessStatusCode();
        return await release.ReadAsync<RecipeDto>();
    }

    private static async Task<HttpRequestMessage> CreateRecipeRequestAsync(ApiTestHost host, string tag)
    {
        var image = (await Draft(host, tag)).Image;
        return new(HttpMethod.Post, "/api/recipes") { Content = ApiTestData.JsonBody(ApiTestData.RecipeJson("Role " + tag, "2.0.0", image.Sha256)) };
    }

    private static async Task<HttpRequestMessage> UpdateRecipeRequestAsync(ApiTestHost host, string tag)
    {
        var (image, recipe) = await Draft(host, tag);
        return new(HttpMethod.Put, $"/api/recipes/{recipe.Id}") { Content = ApiTestData.JsonBody(ApiTestData.RecipeJson("Seed " + tag, "1.0.0", image.Sha256)) };
    }

    private static Task<HttpRequestMessage> Get(string path) => Task.FromResult(new HttpRequestMessage(HttpMethod.Get, path));

    private static async Task<(ImageDto Image, RecipeDto Recipe)> Draft(ApiTestHost host, string tag, bool releaseImage = false)
    {
        using var author = await host.ClientAsync(UserRole.Engineer, "seed-author");
        using var reviewer = await host.ClientAsync(UserRole.Engineer, "seed-reviewer");
        return await ApiSeed.DraftRecipeAsync(author, releaseImage ? reviewer : null, tag);
    }

    private static async Task<SeededUnit> Unit(ApiTestHost host, string tag) =>
        await ApiSeed.PassedUnitAsync(host, (await Draft(host, tag)).Recipe.Id);
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using ProdFlash.Data;

namespace ProdFlash.Station.Tests;

public sealed class StationHostTests
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    [Fact]
    public async Task GetStatus_FreshDataDirectory_ServesConfiguredFixturesAndCreatesStore()
    {
        // Arrange
        using var factory = new StationAppFactory();
        using var client = await factory.CreateClientAsync(Data.Entities.UserRole.Operator, TestContext.Current.CancellationToken);

        // Act
        var response = await client.GetAsync(new Uri("/api/status", UriKind.Relative), TestContext.Current.CancellationToken);
        var status = await response.Content.ReadFromJsonAsync<StationStatus>(s_json, TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(status);
        Assert.Equal("TEST-ST01", status.Name);
        var fixture = Assert.Single(status.Fixtures);
        Assert.Equal("F1", fixture.Name);
        Assert.Equal([1, 2], fixture.Slots.Select(s => s.Position));
        Assert.True(File.Exists(Path.Combine(factory.DataDirectory, new StationDatabaseOptions().FileName)));
    }

    [Fact]
    public async Task GetStatus_NoKey_Unauthorized()
    {
        // Arrange
        using var factory = new StationAppFactory();
        using var client = factory.CreateClient();

        // Act
        var response = await client.GetAsync(new Uri("/api/status", UriKind.Relative), TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

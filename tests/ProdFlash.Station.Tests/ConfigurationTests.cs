using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ProdFlash.Testing;

namespace ProdFlash.Station.Tests;

public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Station:Fixtures:0:Slots:1:Probe", "stlink://usb/XYZ", "Station:Fixtures:0:Slots:1:Probe 'stlink://usb/XYZ' is not a probe selector")]
    [InlineData("Station:Fixtures:0:Slots:1:Probe", "emulator://stm32f999?probe=v2j37", "Station:Fixtures:0:Slots:1:Probe 'emulator://stm32f999?probe=v2j37' is not a usable emulator selector")]
    [InlineData("Station:Fixtures:0:Slots:1:Probe", "emulator://stm32f103c8?probe=v2j37", "names the same probe as Station:Fixtures:0:Slots:0:Probe")]
    [InlineData("Station:Fixtures:0:Recipe", "missing.json", "Station:Fixtures:0:Recipe 'missing.json' is not a file in the recipes folder")]
    [InlineData("Station:Name", "", "Station:Name is empty")]
    [InlineData("Station:RecipesFolder", "/nonexistent/recipes", "Station:RecipesFolder '/nonexistent/recipes' is not a folder")]
    public async Task Start_WrongSetting_StopsWithMessageNamingTheKey(string key, string value, string expected)
    {
        // Arrange: the host as Program.cs builds it, on a loopback port 0.
        using var data = new TempDirectory();
        var settings = StationAppFactory.DefaultSettings(data.Path);
        settings[key] = value;
        settings["Urls"] = "http://127.0.0.1:0";
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = RepositoryPaths.Root });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddStationServices();
        await using var app = builder.Build();

        // Act
        var error = await Record.ExceptionAsync(() => app.StartAsync(TestContext.Current.CancellationToken));

        // Assert
        var validation = Assert.IsType<OptionsValidationException>(error);
        Assert.Contains(validation.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Start_TwoSlotsWhoseProbesShareASerial_BothDisabledWithReason()
    {
        // Arrange: the clone personality reports the same serial whatever slot it sits in.
        using var data = new TempDirectory();
        var settings = StationAppFactory.DefaultSettings(data.Path, slots: 3);
        settings["Station:Fixtures:0:Slots:1:Probe"] = "emulator://stm32f103c8?probe=clone";
        settings["Station:Fixtures:0:Slots:2:Probe"] = "emulator://stm32f103c8?probe=clone&faults=flaky-wait:0.0001";
        using var factory = new StationAppFactory(settings);

        // Act
        _ = factory.Server;
        var slots = factory.Services.GetRequiredService<StatusStore>().Current.Fixtures[0].Slots;

        // Assert
        Assert.Equal(SlotState.Idle, slots[0].State);
        Assert.All(slots.Skip(1), s =>
        {
            Assert.Equal(SlotState.Disabled, s.State);
            Assert.Contains("F1 slot 2, F1 slot 3", s.Reason, StringComparison.Ordinal);
        });
    }
}

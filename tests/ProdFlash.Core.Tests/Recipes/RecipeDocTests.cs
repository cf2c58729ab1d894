using System.Text;
using System.Text.RegularExpressions;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Recipes;
using ProdFlash.Core.Serialization;
using ProdFlash.Testing;

namespace ProdFlash.Core.Tests.Recipes;

public sealed partial class RecipeDocTests
{
    internal static string DocExample()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "recipe.md"));
        var match = ExampleBlock().Match(doc);
        Assert.True(match.Success, "docs/recipe.md has no ```json block under '## Full example'.");
        return match.Groups[1].Value;
    }

    [Fact]
    public void Load_FullExampleFromDocs_LoadsWithEveryValue()
    {
        // Arrange
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(DocExample()));

        // Act
        var recipe = Recipe.Load(stream, "recipe.md");

        // Assert
        Assert.Equal("Widget mainboard", recipe.Name);
        Assert.Equal("1.4.0", recipe.Version);
        Assert.Equal(new RecipeImage("widget/widget-1.4.0.hex", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"), recipe.Image);
        Assert.Equal("STM32F103C8", recipe.Devices[0].Part!.PartNumber, ignoreCase: true);
        Assert.Equal(new ExpectedDevice(null, 0x410, 128), recipe.Devices[1]);
        Assert.Empty(recipe.Genuineness.AllowedClones);
        Assert.Equal(new VoltageWindow(3.0, 3.6), recipe.Voltage);
        Assert.Equal(ConnectMode.Normal, recipe.Connect.Mode);
        Assert.Equal(4000, recipe.Connect.FrequencyKHz);
        Assert.Equal([1800, 480], recipe.Connect.FallbackKHz);
        Assert.Equal(new CheckSettings(VerifyMode.Readback, true), recipe.Checks);
        Assert.Equal(1u, recipe.OptionBytes.UserBits["WDG_SW"]);
        Assert.Equal(RdpLevel.Level1, recipe.OptionBytes.FinalRdp);
        Assert.False(recipe.OptionBytes.AllowRdpRegression);
        Assert.Equal(EraseStrategy.SkipMatching, recipe.Erase);
        Assert.Equal(TimeSpan.FromSeconds(5), recipe.Timeouts[AttemptPhase.Connect]);
        Assert.Equal(TimeSpan.FromSeconds(30), recipe.Timeouts[AttemptPhase.Erase]);
        Assert.Equal(PhaseTimeouts.DefaultFor(AttemptPhase.Program), recipe.Timeouts[AttemptPhase.Program]);
        Assert.Equal(0x0800FC00u, recipe.Serial!.Address);
    }

    [Fact]
    public void Render_DocExampleSerial_GivesTheBytesTheDocDescribes()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(DocExample()));
        var recipe = Recipe.Load(stream, "recipe.md");

        var record = recipe.Serial!.Render(42, new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));

        var bytes = record.Bytes.ToArray();
        Assert.Equal("PF2611-000042", record.Text);
        Assert.Equal(32, bytes.Length);
        Assert.Equal(
            new byte[]
            {
                0x50, 0x46, 0x32, 0x36, 0x31, 0x31, 0x2D, 0x30, 0x30, 0x30, 0x30, 0x34, 0x32, 0x00, 0x00, 0x00,
                0x2A, 0x00, 0x00, 0x00,
                0x02, 0x00, 0x00, 0x00, 0x00, 0x29,
                0xFF, 0xFF,
            },
            bytes[..28]);
        Assert.Equal(Crc32.Compute(bytes.AsSpan(0, 28)), System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(28)));
        Assert.Equal("02:00:00:00:00:29", record.MacAddress);
    }

    [Fact]
    public void RecipeDoc_EveryTopLevelKeyOfTheExample_IsDocumentedInTheKeyTable()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "recipe.md"));
        string[] keys = ["name", "image.path", "image.sha256", "devices[]", "genuineness.allowedClones", "probe.allowClone", "voltage.min", "connect.mode", "connect.swdKHz",
            "connect.fallbackKHz", "connect.retryUnderReset", "connect.retrySlower", "checks.verify", "checks.preverify", "optionBytes.user",
            "optionBytes.finalRdp", "optionBytes.allowRdpRegression", "optionBytes.allowWriteProtectionRemoval", "optionBytes.confirmPermanentLock", "erase", "serial", "timeouts.<phase>"];

        Assert.All(keys, key => Assert.Contains("`" + key + "`", doc, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"## Full example.*?```json\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ExampleBlock();
}

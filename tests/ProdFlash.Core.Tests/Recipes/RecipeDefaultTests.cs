using ProdFlash.Core.Devices;
using ProdFlash.Core.Recipes;
using ProdFlash.Core.Serialization;

namespace ProdFlash.Core.Tests.Recipes;

public sealed class RecipeDefaultTests
{
    private static SerialScheme Scheme(int length) =>
        new(SerialTemplate.Parse("PF{seq:000000}"), new SerialLayout([new AsciiField(12), new Crc32Field()], length), address: 0);

    [Fact]
    public void CreateDefault_F103C8WithSerial_PutsRecordAtLastPage()
    {
        // Arrange: STM32F103C8 has 64 × 1 KiB pages from 0x08000000, so the last page starts at 0x0800FC00.
        var part = DeviceCatalog.Default.FindPart("STM32F103C8")!;

        // Act
        var recipe = Recipe.CreateDefault(part, "Blinky", "1", new RecipeImage("blinky.hex", null), Scheme(16));

        // Assert
        Assert.Equal(0x0800FC00u, recipe.Serial!.Address);
        Assert.Equal(VerifyMode.Checksum, recipe.Checks.Verify);
        Assert.Equal(EraseStrategy.Auto, recipe.Erase);
        Assert.False(recipe.OptionBytes.AllowRdpRegression);
        Assert.False(recipe.OptionBytes.AllowWriteProtectionRemoval);
        Assert.Equal(GenuinenessPolicy.RequireGenuine, recipe.Genuineness);
        Assert.Equal(ExpectedDevice.Of(part), recipe.Devices.Single());
    }

    [Fact]
    public void CreateDefault_F407VGWithSerial_UsesLast128KiBSector()
    {
        // STM32F407VG: 1 MiB, sectors 0-3 16 KiB, 4 64 KiB, 5-11 128 KiB; sector 11 starts at 0x080E0000 (RM0090 §3.3).
        var part = DeviceCatalog.Default.FindPart("STM32F407VG")!;

        var recipe = Recipe.CreateDefault(part, "F4", "1", new RecipeImage(null, new string('0', 64)), Scheme(16));

        Assert.Equal(0x080E0000u, recipe.Serial!.Address);
    }

    [Fact]
    public void CreateDefault_WithoutSerial_HasNone()
    {
        var part = DeviceCatalog.Default.FindPart("STM32F030C8")!;

        var recipe = Recipe.CreateDefault(part, "F0", "1", new RecipeImage("a.hex", null));

        Assert.Null(recipe.Serial);
    }

    [Fact]
    public void CreateDefault_RecordLargerThanLastPage_Throws()
    {
        var part = DeviceCatalog.Default.FindPart("STM32F103C8")!;

        var error = Assert.Throws<RecipeException>(() => Recipe.CreateDefault(part, "x", "1", new RecipeImage("a.hex", null), Scheme(2048)));

        Assert.Equal("The 2048-byte serial record does not fit the last flash page of STM32F103C8 (1024 bytes at 0x0800FC00).", error.Message);
    }
}

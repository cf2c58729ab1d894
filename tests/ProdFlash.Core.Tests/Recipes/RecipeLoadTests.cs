using System.Text;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Recipes;
using ProdFlash.Testing;

namespace ProdFlash.Core.Tests.Recipes;

public sealed class RecipeLoadTests
{
    private const string Minimal = """
        { "name": "Blinky", "version": "1", "image": { "path": "blinky.hex" }, "devices": [ { "part": "STM32F103C8T6" } ] }
        """;

    private static Recipe Load(string json) => Recipe.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)), "recipe.json");

    private static RecipeException LoadFails(string json) => Assert.Throws<RecipeException>(() => Load(json));

    /// <summary>The minimal recipe with <paramref name="extra"/> (", \"key\": value" pairs) added at the top level.</summary>
    private static string With(string extra) => Minimal.TrimEnd().TrimEnd('}') + extra + " }";

    [Fact]
    public void Load_Minimal_TakesSafeDefaults()
    {
        var recipe = Load(Minimal);

        Assert.Equal("STM32F103C8", recipe.Devices.Single().Part!.PartNumber, ignoreCase: true);
        Assert.Equal(0x410, recipe.Devices.Single().DevId);
        Assert.Equal(64, recipe.Devices.Single().FlashKiB);
        Assert.Equal(GenuinenessPolicy.RequireGenuine, recipe.Genuineness);
        Assert.Equal(VerifyMode.Checksum, recipe.Checks.Verify);
        Assert.Equal(EraseStrategy.Auto, recipe.Erase);
        Assert.False(recipe.OptionBytes.AllowRdpRegression);
        Assert.False(recipe.OptionBytes.AllowWriteProtectionRemoval);
        Assert.Equal(RdpLevel.Level0, recipe.OptionBytes.FinalRdp);
        Assert.False(recipe.Probe.AllowClone);
        Assert.Null(recipe.Serial);
        Assert.Equal(TimeSpan.FromSeconds(60), recipe.Timeouts[AttemptPhase.Erase]);
    }

    [Fact]
    public void Load_ProbeAllowClone_IsRead()
    {
        var recipe = Load(With(""", "probe": { "allowClone": true }"""));

        Assert.True(recipe.Probe.AllowClone);
    }

    [Fact]
    public void Load_ProbeAllowCloneNotABool_NamesTheKey()
    {
        var error = LoadFails(With(""", "probe": { "allowClone": "yes" }"""));

        Assert.Equal("$.probe.allowClone", error.KeyPath);
    }

    [Fact]
    public void Load_ProbeUnknownKey_SuggestsAllowClone()
    {
        var error = LoadFails(With(""", "probe": { "allowClones": true }"""));

        Assert.Equal("$.probe.allowClones", error.KeyPath);
        Assert.Contains("did you mean \"allowClone\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_VoltageMinAboveMax_NamesBothKeys()
    {
        var error = LoadFails(With(""", "voltage": { "min": 3.6, "max": 3.0 }"""));

        Assert.Equal("recipe.json: $.voltage.min 3.6 is above $.voltage.max 3.0", error.Message);
        Assert.Equal("$.voltage.min", error.KeyPath);
    }

    [Fact]
    public void Load_UnknownTopLevelKey_SuggestsTheKnownOne()
    {
        var error = LoadFails(With(""", "conect": { "mode": "normal" }"""));

        Assert.StartsWith("recipe.json: $.conect is not a recipe key; did you mean \"connect\".", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownNestedKey_IsAnError()
    {
        var error = LoadFails(With(""", "connect": { "swdKhz": 1800 }"""));

        Assert.Equal("$.connect.swdKhz", error.KeyPath);
        Assert.Contains("did you mean \"swdKHz\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MisspelledRequiredKey_PointsAtTheTypo()
    {
        var error = LoadFails("""{ "nmae": "x", "version": "1", "image": { "path": "a.hex" }, "devices": [ { "part": "STM32F103C8" } ] }""");

        Assert.Equal("recipe.json: $.name is missing; it is required (is \"nmae\" a misspelling of \"name\"?).", error.Message);
    }

    [Fact]
    public void Load_PartNotInCatalog_NamesIndexAndPart()
    {
        var error = LoadFails("""{ "name": "x", "version": "1", "image": { "path": "a.hex" }, "devices": [ { "part": "STM32F103C8" }, { "part": "STM32X999" } ] }""");

        Assert.StartsWith("recipe.json: $.devices[1].part \"STM32X999\" is not in the device catalog", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DevIdAndFlash_AcceptsHexString()
    {
        var recipe = Load("""{ "name": "x", "version": "1", "image": { "sha256": "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08" }, "devices": [ { "devId": "0x440", "flashKiB": 64 } ] }""");

        Assert.Equal(new ExpectedDevice(null, 0x440, 64), recipe.Devices.Single());
        Assert.True(recipe.Devices.Single().Matches(0x10006440, 64));
        Assert.False(recipe.Devices.Single().Matches(0x10006440, 32));
        Assert.Equal("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", recipe.Image.Sha256);
    }

    [Fact]
    public void Load_DevIdTooWide_Throws()
    {
        var error = LoadFails("""{ "name": "x", "version": "1", "image": { "path": "a" }, "devices": [ { "devId": "0x1410", "flashKiB": 64 } ] }""");

        Assert.Equal("recipe.json: $.devices[0].devId 5136 is above the maximum 4095.", error.Message);
    }

    [Fact]
    public void Load_BadSha256_Throws()
    {
        var error = LoadFails("""{ "name": "x", "version": "1", "image": { "sha256": "abc" }, "devices": [ { "part": "STM32F103C8" } ] }""");

        Assert.Equal("recipe.json: $.image.sha256 \"abc\" is not a SHA-256: write 64 hex characters.", error.Message);
    }

    [Fact]
    public void Load_ImageWithoutPathOrHash_Throws()
    {
        var error = LoadFails("""{ "name": "x", "version": "1", "image": { }, "devices": [ { "part": "STM32F103C8" } ] }""");

        Assert.Equal("recipe.json: $.image needs \"path\", \"sha256\" or both.", error.Message);
    }

    [Fact]
    public void Load_NotJson_NamesLine()
    {
        var error = LoadFails("{\n \"name\": \"x\",\n \"version\": }");

        Assert.StartsWith("recipe.json: not valid JSON at line 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WrongType_SaysWhatWasFound()
    {
        var error = LoadFails(With(""", "voltage": { "min": "3.0", "max": 3.6 }"""));

        Assert.Equal("recipe.json: $.voltage.min must be a number, not the string \"3.0\".", error.Message);
    }

    [Fact]
    public void Load_UnknownEnumValue_ListsAllowedValues()
    {
        var error = LoadFails(With(""", "erase": "chip" """));

        Assert.Equal("recipe.json: $.erase \"chip\" is not one of \"auto\", \"mass\", \"touched\", \"skip-matching\".", error.Message);
    }

    [Fact]
    public void Load_SkipMatchingWithoutPreverify_Throws()
    {
        var error = LoadFails(With(""", "erase": "skip-matching" """));

        Assert.Equal("$.erase", error.KeyPath);
        Assert.Contains("$.checks.preverify", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ConnectUnderResetWithFallbacks_BuildsTries()
    {
        var recipe = Load(With(""", "connect": { "mode": "hot-plug", "swdKHz": 1800, "fallbackKHz": [950, 100] }"""));

        Assert.Equal(
            [new ConnectTry(ConnectMode.HotPlug, 1800), new ConnectTry(ConnectMode.UnderReset, 1800), new ConnectTry(ConnectMode.UnderReset, 950), new ConnectTry(ConnectMode.UnderReset, 100)],
            recipe.Connect.Tries());
    }

    [Fact]
    public void Load_DefaultFallbacksAboveFrequency_AreDropped()
    {
        var recipe = Load(With(""", "connect": { "swdKHz": 950 }"""));

        Assert.Equal([480], recipe.Connect.FallbackKHz);
    }

    [Fact]
    public void Load_FallbackNotSlower_Throws()
    {
        var error = LoadFails(With(""", "connect": { "swdKHz": 1800, "fallbackKHz": [480, 950] }"""));

        Assert.Equal("recipe.json: $.connect.fallbackKHz[1] 950 must be slower than the frequency before it (480 kHz): fallbacks go from fast to slow.", error.Message);
    }

    [Fact]
    public void Load_RetrySlowerWithoutFallback_Throws()
    {
        var error = LoadFails(With(""", "connect": { "fallbackKHz": [], "retrySlower": true }"""));

        Assert.Equal("$.connect.retrySlower", error.KeyPath);
    }

    [Fact]
    public void Load_UnknownCloneFamily_ListsKnownOnes()
    {
        var error = LoadFails(With(""", "genuineness": { "allowedClones": ["GD32", "XY32"] }"""));

        Assert.StartsWith("recipe.json: $.genuineness.allowedClones[1] \"XY32\" is not a known clone family; use one of CKS32,", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AllowedClone_IsCaseInsensitiveAndNormalised()
    {
        var recipe = Load(With(""", "genuineness": { "allowedClones": ["apm32"] }"""));

        Assert.Equal(["APM32"], recipe.Genuineness.AllowedClones);
        Assert.True(recipe.Genuineness.Allows("APM32"));
        Assert.False(recipe.Genuineness.Allows("GD32"));
    }

    [Fact]
    public void Load_UserBitNotInFamily_ListsTheFamilysFields()
    {
        var error = LoadFails(With(""", "optionBytes": { "user": { "nBOOT_SEL": 1 } }"""));

        Assert.StartsWith("recipe.json: $.optionBytes.user.nBOOT_SEL: STM32F1", error.Message, StringComparison.Ordinal);
        Assert.Contains("WDG_SW", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UserBitTooWide_Throws()
    {
        var error = LoadFails(With(""", "optionBytes": { "user": { "WDG_SW": 2 } }"""));

        Assert.EndsWith("$.optionBytes.user.WDG_SW 2 does not fit the 1-bit field WDG_SW of STM32F1 (maximum 1).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RdpAsUserBit_PointsAtFinalRdp()
    {
        var error = LoadFails(With(""", "optionBytes": { "user": { "RDPRT": 1 } }"""));

        Assert.Contains("set readout protection with $.optionBytes.finalRdp", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FinalRdp2OnF1_ThrowsBecauseF1HasNoLevel2()
    {
        var error = LoadFails(With(""", "optionBytes": { "finalRdp": 2, "confirmPermanentLock": true }"""));

        Assert.Equal("$.optionBytes.finalRdp", error.KeyPath);
        Assert.Contains("has no RDP level 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FinalRdp2WithoutConfirmation_Throws()
    {
        var error = LoadFails("""{ "name": "x", "version": "1", "image": { "path": "a" }, "devices": [ { "part": "STM32F407VG" } ], "optionBytes": { "finalRdp": 2 } }""");

        Assert.Equal("recipe.json: $.optionBytes.finalRdp 2 closes the debug port of every unit for good; set $.optionBytes.confirmPermanentLock to true if that is intended.", error.Message);
    }

    [Fact]
    public void Load_FinalRdp2Confirmed_IsAccepted()
    {
        var recipe = Load("""{ "name": "x", "version": "1", "image": { "path": "a" }, "devices": [ { "part": "STM32F407VG" } ], "optionBytes": { "finalRdp": 2, "confirmPermanentLock": true } }""");

        Assert.Equal(RdpLevel.Level2, recipe.OptionBytes.FinalRdp);
    }

    [Fact]
    public void Load_TimeoutUnknownPhase_ListsPhases()
    {
        var error = LoadFails(With(""", "timeouts": { "flash": 10 }"""));

        Assert.StartsWith("recipe.json: $.timeouts.flash is not a phase; use probe, power, connect,", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TimeoutZero_Throws()
    {
        var error = LoadFails(With(""", "timeouts": { "erase": 0 }"""));

        Assert.Equal("$.timeouts.erase", error.KeyPath);
    }

    [Fact]
    public void Load_SerialOutsideFlash_NamesPartAndRange()
    {
        var error = LoadFails(With(""", "serial": { "address": "0x08010000", "text": "{seq}", "fields": [ { "type": "uint", "size": 4 } ] }"""));

        Assert.Equal("recipe.json: $.serial.address 0x08010000: the 4-byte serial record is not inside the flash of STM32F103C8 (0x08000000..0x0800FFFF).", error.Message);
    }

    [Fact]
    public void Load_SerialMisaligned_NamesProgrammingUnit()
    {
        var error = LoadFails(With(""", "serial": { "address": "0x0800FC01", "text": "{seq}", "fields": [ { "type": "uint", "size": 4 } ] }"""));

        Assert.Contains("programs 2 bytes at a time", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SerialBadTemplate_NamesTextKey()
    {
        var error = LoadFails(With(""", "serial": { "address": "0x0800FC00", "text": "PF{seq", "fields": [ { "type": "uint", "size": 4 } ] }"""));

        Assert.Equal("$.serial.text", error.KeyPath);
        Assert.Contains("'{' is not closed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SerialOverlappingFields_NamesFieldsKey()
    {
        var error = LoadFails(With(""", "serial": { "address": "0x0800FC00", "text": "{seq}", "fields": [ { "type": "uint", "size": 4 }, { "type": "crc32", "offset": 2 } ] }"""));

        Assert.Equal("$.serial.fields", error.KeyPath);
    }

    [Fact]
    public void Load_SerialUnknownFieldType_ListsTypes()
    {
        var error = LoadFails(With(""", "serial": { "address": "0x0800FC00", "text": "{seq}", "fields": [ { "type": "uint32" } ] }"""));

        Assert.Equal("recipe.json: $.serial.fields[0].type \"uint32\" is not a field type; use ascii, uint, bcd, mac, crc32 or bytes.", error.Message);
    }

    [Fact]
    public void Load_SerialBadMac_Throws()
    {
        var error = LoadFails(With(""", "serial": { "address": "0x0800FC00", "text": "{seq}", "fields": [ { "type": "mac", "base": "00:80:E1", "count": 10 } ] }"""));

        Assert.Equal("$.serial.fields[0].base", error.KeyPath);
    }

    [Fact]
    public void Load_SerialBcdAndBytes_RenderAsDocumented()
    {
        var recipe = Load(With(""", "serial": { "address": "0x0800FC00", "start": 1000, "step": 5, "text": "{seq}", "fields": [ { "type": "bytes", "hex": "CAFE" }, { "type": "bcd", "size": 2 } ] }"""));

        var record = recipe.Serial!.Render(1005, DateTimeOffset.UnixEpoch);

        Assert.Equal(new byte[] { 0xCA, 0xFE, 0x10, 0x05 }, record.Bytes.ToArray());
        Assert.Equal(1010UL, recipe.Serial.Next(1005));
    }

    [Fact]
    public void Load_FromPath_UsesFileNameInErrors()
    {
        using var temp = new TempDirectory();
        var path = temp.File("line3.json");
        File.WriteAllText(path, With(""", "voltage": { "min": 0, "max": 3.6 }"""));

        var error = Assert.Throws<RecipeException>(() => Recipe.Load(path));

        Assert.StartsWith("line3.json: $.voltage.min 0.0 must be above 0 V", error.Message, StringComparison.Ordinal);
    }
}

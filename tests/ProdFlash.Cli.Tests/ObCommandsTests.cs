using System.Text.Json;
using CsCheck;
using ProdFlash.Cli.Commands;

namespace ProdFlash.Cli.Tests;

/// <summary><c>prodflash ob read|write</c> against the emulated STM32F103C8 (emulator:// selectors, real driver stack).</summary>
public sealed class ObCommandsTests
{
    private const string F103 = "emulator://stm32f103c8";

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = CliApp.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public void Read_JsonOnFactoryChip_Level0A5AndNoProtection()
    {
        var (exit, output, _) = Run("ob", "read", F103, "--json");

        var json = Json(output);
        Assert.Equal(CliApp.ExitOk, exit);
        Assert.Equal("stm32f103c8", json.GetProperty("device").GetString());
        Assert.Equal(0, json.GetProperty("rdpLevel").GetInt32());
        Assert.Equal(0xA5, json.GetProperty("rdpByte").GetInt32()); // PM0075: 0xA5 = level 0
        Assert.Equal(1u, json.GetProperty("fields").GetProperty("WDG_SW").GetUInt32());
        Assert.Equal(0, json.GetProperty("writeProtected").GetArrayLength());
        Assert.Equal("0xFFFFFFFF", json.GetProperty("registers").GetProperty("WRPR").GetString());
    }

    [Fact]
    public void Read_ProtectedChip_ShowsLevel1AndProtectedPages()
    {
        var (exit, output, _) = Run("ob", "read", F103 + "?faults=rdp1,wrp:0-3", "--json");

        var json = Json(output);
        Assert.Equal(CliApp.ExitOk, exit);
        Assert.Equal(1, json.GetProperty("rdpLevel").GetInt32());
        Assert.Equal([0, 1, 2, 3], json.GetProperty("writeProtected").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("0xFFFFFFFE", json.GetProperty("registers").GetProperty("WRPR").GetString()); // WRPR bit 0 clear
    }

    [Fact]
    public void Read_Text_NamesDeviceLevelAndRegisters()
    {
        var (exit, output, _) = Run("ob", "read", F103);

        Assert.Equal(CliApp.ExitOk, exit);
        Assert.Contains("STM32F103C8", output, StringComparison.Ordinal);
        Assert.Contains("level 0 (RDP byte 0xA5)", output, StringComparison.Ordinal);
        Assert.Contains("WRP     none", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_FieldsAndProtection_PrintsTheReadBack()
    {
        var (exit, output, error) = Run("ob", "write", F103, "--set", "DATA0=0x42", "--set", "nrst_stop=0", "--set", "WRP=8-11", "--json");

        var json = Json(output);
        Assert.Equal(CliApp.ExitOk, exit);
        Assert.Equal(string.Empty, error);
        Assert.Equal(0x42u, json.GetProperty("fields").GetProperty("DATA0").GetUInt32());
        Assert.Equal(0u, json.GetProperty("fields").GetProperty("nRST_STOP").GetUInt32());
        Assert.Equal([8, 9, 10, 11], json.GetProperty("writeProtected").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void Write_RegressWithoutPermission_Exit1NamingTheFlag()
    {
        var (exit, _, error) = Run("ob", "write", F103 + "?faults=rdp1", "--set", "RDP=0");

        Assert.Equal(CliApp.ExitBadInput, exit);
        Assert.Contains("--allow-mass-erase", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_RegressWithPermission_Level0()
    {
        var (exit, output, _) = Run("ob", "write", F103 + "?faults=rdp1", "--set", "RDP=0", "--allow-mass-erase", "--json");

        Assert.Equal(CliApp.ExitOk, exit);
        Assert.Equal(0, Json(output).GetProperty("rdpLevel").GetInt32());
    }

    [Fact]
    public void Write_RemoveProtection_NeedsAllowWrpRemoval()
    {
        var refused = Run("ob", "write", F103 + "?faults=wrp:4", "--set", "WRP=none");
        var allowed = Run("ob", "write", F103 + "?faults=wrp:4", "--set", "WRP=none", "--allow-wrp-removal", "--json");

        Assert.Equal(CliApp.ExitBadInput, refused.Exit);
        Assert.Contains("--allow-wrp-removal", refused.Err, StringComparison.Ordinal);
        Assert.Equal(CliApp.ExitOk, allowed.Exit);
        Assert.Equal(0, Json(allowed.Out).GetProperty("writeProtected").GetArrayLength());
    }

    [Theory]
    [InlineData("RDP")]
    [InlineData("RDP=3")]
    [InlineData("WRP=3-1")]
    [InlineData("DATA0=lots")]
    public void Write_MalformedSet_ExitUsageWithOneSentence(string item)
    {
        var (exit, output, error) = Run("ob", "write", F103, "--set", item);

        Assert.Equal(CliApp.ExitUsage, exit);
        Assert.Equal(string.Empty, output);
        Assert.Contains("--set", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_NoSet_ExitUsage()
    {
        var (exit, _, error) = Run("ob", "write", F103);

        Assert.Equal(CliApp.ExitUsage, exit);
        Assert.Contains("--set", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Rdp2WithoutConfirmation_ExitUsage()
    {
        var (exit, _, error) = Run("ob", "write", F103, "--set", "RDP=2");

        Assert.Equal(CliApp.ExitUsage, exit);
        Assert.Contains("--confirm-rdp2", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_UnknownField_ExitUsageListingTheFields()
    {
        var (exit, _, error) = Run("ob", "write", F103, "--set", "nBOOT7=1");

        Assert.Equal(CliApp.ExitUsage, exit);
        Assert.Contains("WDG_SW", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NotASelector_ExitUsage()
    {
        var (exit, _, error) = Run("ob", "read", "no-such-probe");

        Assert.Equal(CliApp.ExitUsage, exit);
        Assert.NotEqual(string.Empty, error);
    }

    [Fact]
    public void FormatUnits_ThenParseUnitList_RoundTrips()
    {
        Gen.Int[0, 600].HashSet[0, 40].Sample(set =>
        {
            var units = set.Order().ToList();
            var text = units.Count == 0 ? "none" : ObCommands.FormatUnits(units);

            Assert.Equal(units, ObCommands.ParseUnitList(text));
        });
    }

    [Theory]
    [InlineData("stm32f030f4", "0-7")] // F0: 4 pages per WRPR bit (reference §2.3), two whole groups
    [InlineData("stm32f407vg", "0-1")]
    [InlineData("stm32g071rb", "0-1")]
    [InlineData("stm32l476rg", "0-1")]
    public void Write_OtherFamilies_RoundTripsUserBitAndProtection(string chip, string wrp)
    {
        var (exit, output, error) = Run("ob", "write", "emulator://" + chip, "--set", "nRST_STOP=0", "--set", "WRP=" + wrp, "--json");

        var json = Json(output);
        Assert.Equal(CliApp.ExitOk, exit);
        Assert.Equal(string.Empty, error);
        Assert.Equal(0xAA, json.GetProperty("rdpByte").GetInt32()); // reference §4.1: 0xAA = level 0
        Assert.Equal(0u, json.GetProperty("fields").GetProperty("nRST_STOP").GetUInt32());
        Assert.Equal(ObCommands.ParseUnitList(wrp), json.GetProperty("writeProtected").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void Read_ChipAtRdpLevel2_Exit1SayingLevel2IsPermanent()
    {
        var (exit, output, error) = Run("ob", "read", "emulator://stm32f030f4?faults=rdp2");

        Assert.Equal(CliApp.ExitBadInput, exit);
        Assert.Equal(string.Empty, output);
        Assert.Contains("level 2", error, StringComparison.Ordinal);
        Assert.Contains("permanent", error, StringComparison.Ordinal);
    }
}


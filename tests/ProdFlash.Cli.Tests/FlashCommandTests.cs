using System.Text.Json;

using ProdFlash.Testing;

namespace ProdFlash.Cli.Tests;

/// <summary><c>prodflash flash</c> and <c>prodflash diagnose</c> against the emulated STM32F103C8 (real driver stack).</summary>
public sealed class FlashCommandTests
{
    private const string F103 = "emulator://stm32f103c8";

    private static readonly string s_sampleHex = Path.Combine(RepositoryPaths.FirmwareImages, "samples", "blue-pill-f103c8", "blue-pill-f103c8.hex");

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = CliApp.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Flash_JsonReportOnHealthyChip_HasEveryRequiredKey()
    {
        // Act
        var (exit, output, error) = Run("flash", F103, "--image", s_sampleHex, "--report", "json");

        // Assert
        Assert.True(exit == CliApp.ExitOk, error + output);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal("Passed", json.GetProperty("result").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("failureCode").ValueKind);
        Assert.Equal("stm32f103c8", json.GetProperty("device").GetString());
        Assert.True(json.GetProperty("genuine").GetBoolean());
        Assert.Matches("^[0-9A-F]{24}$", json.GetProperty("uid").GetString());
        var phases = json.GetProperty("phases").EnumerateArray().ToList();
        Assert.Equal(["probe", "power", "connect", "identify", "option bytes", "erase", "program", "verify", "serialize", "finalize"],
            phases.Select(p => p.GetProperty("name").GetString()));
        Assert.All(phases, p =>
        {
            Assert.True(p.GetProperty("seconds").GetDouble() >= 0);
            Assert.True(p.GetProperty("transactions").GetInt64() >= 0);
            Assert.True(p.GetProperty("bytes").GetInt64() >= 0);
        });
        Assert.True(phases.Single(p => p.GetProperty("name").GetString() == "program").GetProperty("transactions").GetInt64() > 0);
        Assert.True(json.GetProperty("modeledSeconds").GetDouble() > 0);
        Assert.True(json.GetProperty("floorSeconds").GetDouble() > 0);
        Assert.True(json.GetProperty("ratio").GetDouble() > 0);
    }

    [Fact]
    public void Flash_InteractiveStderr_DrawsProgressBarPerPhaseTo100Percent()
    {
        // Arrange: the command built as for a terminal on stderr.
        var root = new System.CommandLine.RootCommand { Commands.FlashCommand.Create(interactive: true) };
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        // Act
        var exit = root.Parse(["flash", F103, "--image", s_sampleHex]).Invoke(new System.CommandLine.InvocationConfiguration { Output = stdout, Error = stderr });

        // Assert
        Assert.Equal(CliApp.ExitOk, exit);
        var bar = stderr.ToString();
        Assert.Contains("\rprogram      [", bar, StringComparison.Ordinal);
        Assert.Contains("] 100%", bar, StringComparison.Ordinal);
        Assert.Contains("\rfinalize", bar, StringComparison.Ordinal);
        Assert.Contains("Result   Passed", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Flash_NoVcc_ExitAttemptFailedWithTargetNotPoweredAndRemedies()
    {
        // Act
        var (exit, output, _) = Run("flash", F103 + "?faults=no-vcc", "--image", s_sampleHex);

        // Assert
        Assert.Equal(CliApp.ExitAttemptFailed, exit);
        Assert.Contains("Result   Failed (TargetNotPowered)", output, StringComparison.Ordinal);
        Assert.Contains("0.00 V", output, StringComparison.Ordinal);
        Assert.Contains("Remedies:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Flash_SerialWithoutRecipe_UsageErrorNamingRecipe()
    {
        // Act
        var (exit, _, error) = Run("flash", F103, "--image", s_sampleHex, "--serial", "42");

        // Assert
        Assert.Equal(CliApp.ExitUsage, exit);
        Assert.Contains("--recipe", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Flash_RecipeWithSerial_WritesTheRecordAndPasses()
    {
        // Arrange: the docs/recipe.md serial layout at the F103C8's last page.
        using var temp = new TempDirectory();
        var recipe = Path.Combine(temp.Path, "recipe.json");
        File.WriteAllText(recipe, """
            {
              "name": "cli-test", "version": "1.0.0",
              "image": { "path": "sample-f103.hex" },
              "devices": [ { "part": "STM32F103C8" } ],
              "serial": {
                "address": "0x0800FC00", "start": 1, "step": 1, "text": "PF{seq:000000}", "length": 32, "fill": "0xFF",
                "fields": [
                  { "type": "ascii", "length": 16, "termination": "nul", "padding": "0x00" },
                  { "type": "uint", "size": 4, "endian": "little" },
                  { "type": "crc32", "offset": 28 }
                ]
              }
            }
            """);

        // Act
        var (exit, output, error) = Run("flash", F103, "--image", s_sampleHex, "--recipe", recipe, "--serial", "42", "--report", "json");

        // Assert
        Assert.True(exit == CliApp.ExitOk, error + output);
        var serialize = JsonDocument.Parse(output).RootElement.GetProperty("phases").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "serialize");
        Assert.True(serialize.GetProperty("bytes").GetInt64() >= 32, "the serialize phase moved no record");
    }

    [Fact]
    public void Diagnose_HealthyChip_EveryCheckPassesWithMeasurements()
    {
        // Act
        var (exit, output, _) = Run("diagnose", F103, "--json");

        // Assert
        Assert.Equal(CliApp.ExitOk, exit);
        var json = JsonDocument.Parse(output).RootElement;
        var checks = json.GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(["probe", "power", "connect", "identify", "option bytes"], checks.Select(c => c.GetProperty("name").GetString()));
        Assert.All(checks, c => Assert.Equal("pass", c.GetProperty("status").GetString()));
        Assert.Contains("3.30 V", checks[1].GetProperty("measured").GetString(), StringComparison.Ordinal);
        Assert.Contains("0x1BA01477", checks[2].GetProperty("measured").GetString(), StringComparison.Ordinal);
        Assert.Equal("genuine ST", json.GetProperty("verdict").GetString());
    }

    [Fact]
    public void Diagnose_NoAck_FailsConnectWithRankedCausesAndRemedies()
    {
        // Act
        var (exit, output, _) = Run("diagnose", F103 + "?faults=no-ack", "--json");

        // Assert
        Assert.Equal(CliApp.ExitAttemptFailed, exit);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal("NoSwdResponse", json.GetProperty("failureCode").GetString());
        var checks = json.GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(["pass", "pass", "fail", "not run", "not run"], checks.Select(c => c.GetProperty("status").GetString()));
        Assert.Equal(4, json.GetProperty("connectTries").GetArrayLength());
        Assert.NotEmpty(json.GetProperty("diagnosis").GetProperty("causes").EnumerateArray());
        Assert.NotEmpty(json.GetProperty("diagnosis").GetProperty("remedies").EnumerateArray());
    }

    [Fact]
    public void Diagnose_Rdp1Text_FailsOptionBytesAndSaysWhatToDo()
    {
        // Act
        var (exit, output, _) = Run("diagnose", F103 + "?faults=rdp1");

        // Assert
        Assert.Equal(CliApp.ExitAttemptFailed, exit);
        Assert.Contains("FAIL  option bytes", output, StringComparison.Ordinal);
        Assert.Contains("ReadoutProtected", output, StringComparison.Ordinal);
        Assert.Contains("Likely causes:", output, StringComparison.Ordinal);
    }
}

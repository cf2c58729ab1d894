using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using ProdFlash.Emulator.Server;
using ProdFlash.Emulator.Tests.OpenOcd;
using ProdFlash.Testing;

namespace ProdFlash.Emulator.Tests.Clones;

/// <summary>
/// Debian's OpenOCD 0.12 with the upstream <c>target/stm32f1x.cfg</c> (one expected SW-DP ID, 0x1BA01477) against a
/// CKS32 look-alike: over the hla driver it prints the "UNEXPECTED idcode" lines users report and stops (reference
/// §5.3 "Other tool behaviour", SJSU-Dev2 issue #1440) unless CPUTAPID is overridden; its dapdirect driver does not
/// check the SWD DPIDR. The same OpenOCD against the <c>low-power</c> fault shows the WAIT storm and its remedy.
/// </summary>
public sealed class CloneOpenOcdTests
{
    private static readonly TimeSpan OpenOcdTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Init_Cks32WithStm32f1CfgOverHla_RefusesWithUnexpectedIdcode()
    {
        // Arrange
        await using var server = StartServer("emulator://cks32f103c8");

        // Act
        var run = await RunOpenOcdAsync(server.Port, "hla", [], "flash probe 0");

        // Assert: the hla driver checks the DPIDR against stm32f1x.cfg's single -expected-id and gives up
        Assert.NotEqual(0, run.ExitCode);
        run.AssertPrinted("Warn : UNEXPECTED idcode: 0x2ba01477");
        run.AssertPrinted("Error: expected 1 of 1: 0x1ba01477");
    }

    [Fact]
    public async Task Init_Cks32WithCpuTapIdOverride_FindsCortexM3R2p1()
    {
        // Arrange
        await using var server = StartServer("emulator://cks32f103c8");

        // Act: the users' workaround (§5.3: "set CPUTAPID 0x2ba01477")
        var run = await RunOpenOcdAsync(server.Port, "hla", ["set CPUTAPID 0x2ba01477"], "flash probe 0");

        // Assert
        run.AssertSucceeded();
        Assert.DoesNotContain("UNEXPECTED idcode", run.Output, StringComparison.Ordinal);
        run.AssertPrinted("Cortex-M3 r2p1 processor detected");
        run.AssertPrinted("device id = 0x20036410");
        run.AssertPrinted("flash size = 128 KiB");
    }

    [Fact]
    public async Task Init_Cks32WithStm32f1CfgOverDapDirect_PrintsDpidrAndAccepts()
    {
        // Arrange
        await using var server = StartServer("emulator://cks32f103c8");

        // Act
        var run = await RunOpenOcdAsync(server.Port, "dapdirect", [], "flash probe 0");

        // Assert: OpenOCD 0.12's dapdirect SWD path prints the DPIDR and does not compare it with -expected-id
        run.AssertSucceeded();
        run.AssertPrinted("SWD DPIDR 0x2ba01477");
        Assert.DoesNotContain("UNEXPECTED idcode", run.Output, StringComparison.Ordinal);
        run.AssertPrinted("Cortex-M3 r2p1 processor detected");
        run.AssertPrinted("flash size = 128 KiB");
    }

    [Theory]
    [InlineData("stm32f103c8")]
    [InlineData("apm32f103c8")]
    public async Task LowPower_PlainInitFailsToReadCpuId_ConnectAssertSrstExamines(string chip)
    {
        // Arrange
        await using var server = StartServer($"emulator://{chip}?faults=low-power");

        // Act
        var plain = await RunOpenOcdAsync(server.Port, "dapdirect", [], "flash probe 0");
        var underReset = await RunOpenOcdAsync(server.Port, "dapdirect", ["reset_config srst_only srst_nogate connect_assert_srst"], "flash probe 0");

        // Assert: the DP answers (DPIDR printed), the first memory read (CPUID) fails on the WAIT storm; connecting
        // under reset (reference §6 remedy) examines the core and probes the flash
        plain.AssertPrinted("SWD DPIDR 0x");
        plain.AssertPrinted("Error: Failed to read memory at 0xe000ed00");
        plain.AssertPrinted("examination failed");
        underReset.AssertSucceeded();
        underReset.AssertPrinted("processor detected");
        underReset.AssertPrinted("flash 'stm32f1x' found at 0x08000000");
    }

    private static StLinkServer StartServer(string selector)
    {
        var emulated = EmulatedProbes.Create(EmulatorSelector.Parse(selector), 0, new FakeTimeProvider());
        var server = new StLinkServer([emulated]);
        server.Start(0);
        return server;
    }

    private static async Task<OpenOcdRun> RunOpenOcdAsync(int port, string driver, string[] configuration, params string[] commands)
    {
        var openocd = ExternalTool.Require("openocd", "openocd");
        var portText = port.ToString(CultureInfo.InvariantCulture);
        var arguments = new List<string>();
        arguments.AddRange(driver == "dapdirect"
            ? ["-f", "interface/stlink-dap.cfg", "-c", $"st-link backend tcp {portText}"]
            : ["-f", "interface/stlink.cfg", "-c", $"hla_stlink_backend tcp {portText}"]);
        arguments.AddRange(["-c", "set WORKAREASIZE 0"]);
        foreach (var setting in configuration)
        {
            arguments.AddRange(["-c", setting]); // before the target file, which reads CPUTAPID
        }

        arguments.AddRange(["-f", "target/stm32f1x.cfg"]);
        arguments.AddRange(["-c", "gdb_port disabled", "-c", "tcl_port disabled", "-c", "telnet_port disabled", "-c", "init"]);
        foreach (var command in commands)
        {
            arguments.AddRange(["-c", command]);
        }

        arguments.AddRange(["-c", "shutdown"]);
        var result = await ExternalTool.RunAsync(openocd, arguments, OpenOcdTimeout);
        return new OpenOcdRun(result.ExitCode, result.StandardOutput + result.StandardError, string.Join(' ', arguments));
    }
}

using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Server;
using ProdFlash.Emulator.StLink;
using ProdFlash.Emulator.Tests.OpenOcd;
using ProdFlash.Emulator.Timing;
using ProdFlash.Testing;

namespace ProdFlash.Emulator.Tests.Chips.Families;

/// <summary>
/// One emulated F0/F4/G0/L4 board behind an emulated ST-LINK V2-1, served on a loopback stlink-server port, and
/// Debian's OpenOCD 0.12 run against it with the family's target script and no work area.
/// </summary>
internal sealed class FamilyOpenOcdBench : IAsyncDisposable
{
    private static readonly TimeSpan OpenOcdTimeout = TimeSpan.FromSeconds(120);

    private FamilyOpenOcdBench(Stm32Chip chip, StLinkServer server)
    {
        Chip = chip;
        Server = server;
    }

    public Stm32Chip Chip { get; }

    public StLinkServer Server { get; }

    public static FamilyOpenOcdBench Start(string part, ChipFaults? faults = null)
    {
        var clock = new ModeledClock(new FakeTimeProvider());
        var chip = new Stm32Chip(Stm32Specs.FromCatalog(part), clock, faults, uidSeed: 0x5EED);
        var probe = new EmulatedStLink(StLinkPersonality.Create("v21j40", 0), chip, clock);
        var server = new StLinkServer([probe]);
        server.Start(0);
        return new FamilyOpenOcdBench(chip, server);
    }

    /// <summary>Runs OpenOCD's dapdirect ST-LINK driver with <paramref name="targetScript"/> (e.g. <c>target/stm32f4x.cfg</c>).</summary>
    public Task<OpenOcdRun> RunAsync(string targetScript, params string[] commands) => RunAsync(targetScript, 0, commands);

    /// <summary>Runs OpenOCD with a work area of <paramref name="workAreaSize"/> bytes in SRAM (0: none, OpenOCD writes flash word by word).</summary>
    public async Task<OpenOcdRun> RunAsync(string targetScript, int workAreaSize, params string[] commands)
    {
        var openocd = ExternalTool.Require("openocd", "openocd");
        var port = Server.Port.ToString(CultureInfo.InvariantCulture);
        var arguments = new List<string>
        {
            "-f", "interface/stlink-dap.cfg", "-c", $"st-link backend tcp {port}",
            "-c", $"set WORKAREASIZE {workAreaSize.ToString(CultureInfo.InvariantCulture)}", "-f", targetScript,
            "-c", "gdb_port disabled", "-c", "tcl_port disabled", "-c", "telnet_port disabled", "-c", "init",
        };
        foreach (var command in commands)
        {
            arguments.AddRange(["-c", command]);
        }

        arguments.AddRange(["-c", "shutdown"]);
        var result = await ExternalTool.RunAsync(openocd, arguments, OpenOcdTimeout);
        return new OpenOcdRun(result.ExitCode, result.StandardOutput + result.StandardError, string.Join(' ', arguments));
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}

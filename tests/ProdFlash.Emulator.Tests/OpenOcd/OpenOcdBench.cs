using System.Globalization;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Faults;
using ProdFlash.Emulator.Server;
using ProdFlash.Emulator.StLink;
using ProdFlash.Emulator.Target;
using ProdFlash.Emulator.Timing;
using ProdFlash.Testing;

namespace ProdFlash.Emulator.Tests.OpenOcd;

/// <summary>
/// Emulated STM32F103C8 boards behind emulated ST-LINKs, served on a loopback stlink-server port, and Debian's
/// OpenOCD 0.12 started against them as a child process (reference §5.3 command lines).
/// </summary>
internal sealed class OpenOcdBench : IAsyncDisposable
{
    private static readonly TimeSpan OpenOcdTimeout = TimeSpan.FromSeconds(90);

    private OpenOcdBench(IReadOnlyList<Stm32F1Chip> chips, StLinkServer server)
    {
        Chips = chips;
        Server = server;
    }

    public IReadOnlyList<Stm32F1Chip> Chips { get; }

    public Stm32F1Chip Chip => Chips[0];

    public StLinkServer Server { get; }

    public static OpenOcdBench Start(string personality = "v2j37", ChipFaults? faults = null, int count = 1) =>
        Start(personality, faults is null ? FaultSet.None : FaultSet.None with { Chip = faults }, count);

    /// <summary>Boards with the faults of <paramref name="faults"/> (board faults wrap the chip as in the emulator host).</summary>
    public static OpenOcdBench Start(string personality, FaultSet faults, int count = 1)
    {
        var chips = new List<Stm32F1Chip>();
        var probes = new List<EmulatedStLink>();
        for (var i = 0; i < count; i++)
        {
            var clock = new ModeledClock(new FakeTimeProvider());
            var chip = new Stm32F1Chip(Stm32F1Specs.Stm32F103C8, clock, faults.Chip, uidSeed: (ulong)(0x5EED + i));
            chips.Add(chip);
            IEmulatedTarget wired = faults.HasBoardFault ? new BoardFaultTarget(chip, faults) : chip;
            probes.Add(new EmulatedStLink(StLinkPersonality.Create(personality, i), wired, clock, faults));
        }

        var server = new StLinkServer(probes);
        server.Start(0);
        return new OpenOcdBench(chips, server);
    }

    /// <summary>Runs OpenOCD with the driver (<c>dapdirect</c> or <c>hla</c>), the F1 target with no work area, and the commands.</summary>
    public Task<OpenOcdRun> RunAsync(string driver, params string[] commands) => RunAsync(driver, [], commands);

    /// <summary>As above, with configuration-stage commands (e.g. <c>adapter serial</c>, <c>reset_config</c>) given after the target file, before init.</summary>
    public async Task<OpenOcdRun> RunAsync(string driver, string[] configuration, params string[] commands)
    {
        var openocd = ExternalTool.Require("openocd", "openocd");
        var port = Server.Port.ToString(CultureInfo.InvariantCulture);
        var arguments = new List<string>();
        arguments.AddRange(driver switch
        {
            "dapdirect" => ["-f", "interface/stlink-dap.cfg", "-c", $"st-link backend tcp {port}"],
            "hla" => ["-f", "interface/stlink.cfg", "-c", $"hla_stlink_backend tcp {port}"],
            _ => throw new ArgumentOutOfRangeException(nameof(driver), driver, "dapdirect or hla"),
        });

        // WORKAREASIZE must be set before the target file reads it: OpenOCD's own flash driver then drives the
        // emulated flash controller register by register.
        arguments.AddRange(["-c", "set WORKAREASIZE 0", "-f", "target/stm32f1x.cfg"]);
        foreach (var command in configuration)
        {
            arguments.AddRange(["-c", command]);
        }

        arguments.AddRange(["-c", "gdb_port disabled", "-c", "tcl_port disabled", "-c", "telnet_port disabled", "-c", "init"]);
        foreach (var command in commands)
        {
            arguments.AddRange(["-c", command]);
        }

        arguments.AddRange(["-c", "shutdown"]);
        var result = await ExternalTool.RunAsync(openocd, arguments, OpenOcdTimeout);
        return new OpenOcdRun(result.ExitCode, result.StandardOutput + result.StandardError, string.Join(' ', arguments));
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();

    public static uint ReadWord(IEmulatedTarget chip, uint address)
    {
        Assert.Equal(BusResult.Ok, chip.Read(address, AccessWidth.Word, out var value));
        return value;
    }

    /// <summary>An Intel HEX file of <paramref name="data"/> at <paramref name="address"/> (16-byte records, extended linear address records).</summary>
    public static string IntelHex(uint address, ReadOnlySpan<byte> data)
    {
        var hex = new StringBuilder();
        var upper = -1;
        for (var offset = 0; offset < data.Length; offset += 16)
        {
            var at = address + (uint)offset;
            if ((int)(at >> 16) != upper)
            {
                upper = (int)(at >> 16);
                Record(hex, 0, 4, [(byte)(upper >> 8), (byte)upper]);
            }

            Record(hex, (ushort)at, 0, data.Slice(offset, Math.Min(16, data.Length - offset)));
        }

        Record(hex, 0, 1, []);
        return hex.ToString();
    }

    private static void Record(StringBuilder hex, ushort address, byte type, ReadOnlySpan<byte> payload)
    {
        var sum = payload.Length + (address >> 8) + (address & 0xFF) + type;
        hex.Append(CultureInfo.InvariantCulture, $":{payload.Length:X2}{address:X4}{type:X2}");
        foreach (var b in payload)
        {
            hex.Append(CultureInfo.InvariantCulture, $"{b:X2}");
            sum += b;
        }

        hex.Append(CultureInfo.InvariantCulture, $"{(byte)(-sum):X2}\n");
    }
}

/// <summary>What one OpenOCD run printed (stdout and stderr together: OpenOCD logs and prints on stderr).</summary>
internal sealed record OpenOcdRun(int ExitCode, string Output, string CommandLine)
{
    public void AssertSucceeded()
    {
        Assert.True(ExitCode == 0, $"OpenOCD exited with {ExitCode}.\n{this}");
    }

    public void AssertPrinted(string expected)
    {
        Assert.True(Output.Contains(expected, StringComparison.Ordinal), $"OpenOCD did not print '{expected}'.\n{this}");
    }

    public override string ToString() => $"openocd {CommandLine}\n--- output ---\n{Output}";
}

using System.CommandLine;
using System.Globalization;
using ProdFlash.Emulator;
using ProdFlash.Emulator.Faults;
using ProdFlash.Emulator.Server;
using ProdFlash.Emulator.StLink;

namespace ProdFlash.Cli.Commands;

/// <summary><c>prodflash emulate</c>: serves emulated ST-LINKs with chip models over the stlink-server TCP protocol.</summary>
internal static class EmulateCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var port = new Option<int>("--stlink-server")
        {
            Description = "TCP port on 127.0.0.1 to serve the stlink-server protocol on (7184 is ST's default; 0 picks a free port).",
            Required = true,
        };
        var chip = new Option<string>("--chip")
        {
            Description = "Chip model behind each probe.",
            DefaultValueFactory = _ => "stm32f103c8",
        };
        var count = new Option<int>("--count")
        {
            Description = "Number of probes, each with its own chip.",
            DefaultValueFactory = _ => 1,
        };
        var personality = new Option<string>("--personality")
        {
            Description = "Probe personality.",
            DefaultValueFactory = _ => EmulatorSelector.DefaultPersonality,
        };
        personality.AcceptOnlyFromAmong([.. StLinkPersonality.Names]);
        var faults = new Option<string[]>("--fault")
        {
            Description = "A fault to inject in every slot (repeatable): " + string.Join(", ", FaultSet.Syntax) + ".",
        };
        var realTime = new Option<bool>("--realtime")
        {
            Description = "Wait the modeled time of every transaction (flash programming takes as long as on hardware).",
        };

        var command = new Command("emulate", "Serve emulated ST-LINK probes and STM32 chips over the stlink-server TCP protocol until Ctrl+C.")
        {
            port, chip, count, personality, faults, realTime,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var probeCount = parse.GetValue(count);
            var portNumber = parse.GetValue(port);
            if (probeCount is < 1 or > 64 || portNumber is < 0 or > 65535)
            {
                await stderr.WriteLineAsync("--count must be 1 to 64 and --stlink-server a TCP port (0 to 65535).").ConfigureAwait(false);
                return CliApp.ExitUsage;
            }

            var probes = new List<EmulatedStLink>();
            try
            {
                var faultSet = FaultSet.Parse(parse.GetValue(faults) ?? []);
                for (var i = 0; i < probeCount; i++)
                {
                    probes.Add(EmulatedProbes.Create(parse.GetValue(chip)!, parse.GetValue(personality)!, faultSet, i, TimeProvider.System, parse.GetValue(realTime)));
                }
            }
            catch (EmulatorConfigurationException error)
            {
                await stderr.WriteLineAsync(error.Message).ConfigureAwait(false);
                return CliApp.ExitBadInput;
            }

            await using var server = new StLinkServer(probes);
            try
            {
                server.Start(portNumber);
            }
            catch (System.Net.Sockets.SocketException error)
            {
                await stderr.WriteLineAsync($"Cannot listen on 127.0.0.1:{portNumber}: {error.Message}. Pick another port with --stlink-server.").ConfigureAwait(false);
                return CliApp.ExitBadInput;
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"stlink-server listening on 127.0.0.1:{server.Port}")).ConfigureAwait(false);
            foreach (var probe in probes)
            {
                var p = probe.Personality;
                await stdout.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture,
                    $"probe {p.Serial} {p.FirmwareName} VID:PID 0483:{p.ProductId:X4} chip {parse.GetValue(chip)}")).ConfigureAwait(false);
            }

            await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM: stop serving.
            }

            return CliApp.ExitOk;
        });
        return command;
    }
}

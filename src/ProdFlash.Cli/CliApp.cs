using System.CommandLine;
using ProdFlash.Cli.Commands;

namespace ProdFlash.Cli;

/// <summary>The `prodflash` command tree.</summary>
public static class CliApp
{
    /// <summary>Exit code for success.</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code for bad input (a malformed image, an unknown device, a probe that is not there).</summary>
    public const int ExitBadInput = 1;

    /// <summary>Exit code for a usage error (unknown command or option, missing argument).</summary>
    public const int ExitUsage = 2;

    /// <summary>Exit code for an attempt (flash or diagnose) that ended Failed or Aborted; the report names the code.</summary>
    public const int ExitAttemptFailed = 3;

    /// <summary>Parses <paramref name="args"/> and runs the command, writing to the given writers.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("ProdFlash: production programming station for STM32 microcontrollers.");
        root.Subcommands.Add(ImageCommands.Create());
        root.Subcommands.Add(EmulateCommand.Create());
        root.Subcommands.Add(ObCommands.Create());
        root.Subcommands.Add(FlashCommand.Create());
        root.Subcommands.Add(DiagnoseCommand.Create());
        root.Subcommands.Add(ProbesCommand.Create());
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                stderr.WriteLine(error.Message);
            }

            return ExitUsage;
        }

        return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }
}

return ProdFlash.Cli.CliApp.Run(args, Console.Out, Console.Error);

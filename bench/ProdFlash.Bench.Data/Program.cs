// Benchmark "Report queries": see docs/benchmarks.md for the figures and how to run it.
//   dotnet run -c Release --project bench/ProdFlash.Bench.Data [-- --attempts 1000000 --db PATH --write-docs docs/benchmarks.md]
// Child mode (the crash test starts it and kills it with SIGKILL):
//   crash-writer DATA_DIRECTORY   migrate, recover, then write attempts in a loop, printing "committed ID STATE" after each
if (args is ["crash-writer", var directory])
{
    return await CrashWriter.RunAsync(directory);
}

return await ReportBench.RunAsync(args);

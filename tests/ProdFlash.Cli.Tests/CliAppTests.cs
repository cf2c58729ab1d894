namespace ProdFlash.Cli.Tests;

public class CliAppTests
{
    [Fact]
    public void Run_UnknownCommand_ReturnsUsageError()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var exit = CliApp.Run(["no-such-command"], stdout, stderr);

        Assert.Equal(CliApp.ExitUsage, exit);
        Assert.Contains("no-such-command", stderr.ToString(), StringComparison.Ordinal);
    }
}

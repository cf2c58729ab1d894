using ProdFlash.Emulator.Tests.Chips.Families;
using ProdFlash.Emulator.Tests.OpenOcd;
using ProdFlash.Testing;

namespace ProdFlash.Emulator.Tests.Chips.Execution;

/// <summary>
/// OpenOCD 0.12 with a work area: it downloads its own asynchronous flash loader into the emulated SRAM and runs it on
/// the emulated core while it streams the image (code nobody here wrote, executing on ThumbCpu).
/// </summary>
public sealed class OpenOcdLoaderTests
{
    [Theory]
    [InlineData("stm32l476rg", "target/stm32l4x.cfg")]
    [InlineData("stm32g071rb", "target/stm32g0x.cfg")]
    [InlineData("stm32f407vg", "target/stm32f4x.cfg")] // stm32f2x.S: Thumb-2 (LDR.W, post-indexed LDRH/STRH, TST.W, IT, CBZ)
    public async Task Program_WithAWorkArea_RunsOpenOcdsLoaderOnTheEmulatedCore(string part, string script)
    {
        await using var bench = FamilyOpenOcdBench.Start(part);
        using var temp = new TempDirectory();
        var image = Enumerable.Range(0, 20000).Select(i => (byte)((i * 131) ^ (i >> 8))).ToArray();
        var hexPath = temp.File("image.hex");
        await File.WriteAllTextAsync(hexPath, OpenOcdBench.IntelHex(0x0800_0000, image), TestContext.Current.CancellationToken);

        var run = await bench.RunAsync(script, 0x4000, "reset halt", $"program {hexPath} verify");

        run.AssertSucceeded();
        run.AssertPrinted("** Verified OK **");
        AssertNoFallback(run);
        Assert.Equal(image, bench.Chip.MainFlash[..image.Length].ToArray());
        Assert.True(bench.Chip.Cpu.Instructions > image.Length / 8, $"the core executed {bench.Chip.Cpu.Instructions} instructions: OpenOCD did not run its loader");
    }

    [Theory]
    [InlineData("dapdirect")]
    [InlineData("hla")]
    public async Task Program_F103WithAWorkArea_RunsOpenOcdsStm32f1xLoader(string driver)
    {
        await using var bench = OpenOcdBench.Start();
        using var temp = new TempDirectory();
        var image = Enumerable.Range(0, 12000).Select(i => (byte)((i * 77) ^ (i >> 7))).ToArray();
        var hexPath = temp.File("image.hex");
        await File.WriteAllTextAsync(hexPath, OpenOcdBench.IntelHex(0x0800_0000, image), TestContext.Current.CancellationToken);

        var run = await bench.RunAsync(
            driver,
            ["stm32f1x.cpu configure -work-area-phys 0x20000000 -work-area-size 0x2000 -work-area-backup 0"],
            "reset halt",
            $"program {hexPath} verify");

        run.AssertSucceeded();
        run.AssertPrinted("** Verified OK **");
        AssertNoFallback(run);
        Assert.Equal(image, bench.Chip.MainFlash[..image.Length].ToArray());
        Assert.True(bench.Chip.Cpu.Instructions > image.Length / 2, $"the core executed {bench.Chip.Cpu.Instructions} instructions: OpenOCD did not run its loader");
    }

    // OpenOCD's flash drivers log these when the loader fails or cannot run and they write word by word instead
    // (src/flash/nor/stm32f1x.c "couldn't use block writes, falling back to single memory accesses", stm32l4x.c
    // "block write failed" / "error executing stm32l4 flash write algorithm").
    private static void AssertNoFallback(OpenOcdRun run)
    {
        Assert.DoesNotContain("falling back", run.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("algorithm", run.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("block write failed", run.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("timed out", run.Output, StringComparison.OrdinalIgnoreCase);
    }
}

using ProdFlash.Programming.Flash.Loaders;
using ProdFlash.Testing;

namespace ProdFlash.Programming.Tests.Flash;

/// <summary>
/// The loader bytes embedded in <see cref="RamLoaderStubs"/> are exactly what the GNU assembler makes of the committed
/// source (src/ProdFlash.Programming/Flash/Loaders/*.S), so the source stays the truth.
/// </summary>
public sealed class RamLoaderStubTests
{
    private static string LoaderFolder => Path.Combine(RepositoryPaths.Root, "src", "ProdFlash.Programming", "Flash", "Loaders");

    [Fact]
    public async Task WordRing_AssembledFromSource_MatchesEmbeddedBytes()
    {
        var assembler = ExternalTool.Require("arm-none-eabi-as", "binutils-arm-none-eabi");
        var objcopy = ExternalTool.Require("arm-none-eabi-objcopy", "binutils-arm-none-eabi");
        var work = Directory.CreateTempSubdirectory("prodflash-loader-");
        try
        {
            var source = Path.Combine(LoaderFolder, RamLoaderStubs.WordRingSource);
            var obj = Path.Combine(work.FullName, "loader.o");
            var bin = Path.Combine(work.FullName, "loader.bin");

            var assembled = await ExternalTool.RunAsync(assembler, ["-mcpu=cortex-m0", "-mthumb", "-o", obj, source], TimeSpan.FromMinutes(1));
            Assert.True(assembled.ExitCode == 0, assembled.StandardError);
            var copied = await ExternalTool.RunAsync(objcopy, ["-O", "binary", obj, bin], TimeSpan.FromMinutes(1));
            Assert.True(copied.ExitCode == 0, copied.StandardError);

            Assert.Equal(await File.ReadAllBytesAsync(bin, TestContext.Current.CancellationToken), RamLoaderStubs.WordRing.ToArray());
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public void WordRing_EndsWithBreakpointsAndIsHalfWordAligned()
    {
        var code = RamLoaderStubs.WordRing.ToArray();

        // BKPT #0 is 0xBE00 (ARMv6-M ARM A6.7.12); the loader has one on its error exit and one on its done exit.
        var breakpoints = Enumerable.Range(0, code.Length / 2).Count(i => code[2 * i] == 0x00 && code[(2 * i) + 1] == 0xBE);
        Assert.Equal(0, code.Length % 4);
        Assert.Equal(2, breakpoints);
    }
}

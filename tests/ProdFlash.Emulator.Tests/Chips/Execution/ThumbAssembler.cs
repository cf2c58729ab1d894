using System.Collections.Concurrent;
using System.Diagnostics;

using ProdFlash.Testing;

namespace ProdFlash.Emulator.Tests.Chips.Execution;

/// <summary>
/// Assembles the test programs (Programs/*.S) at test time with GNU binutils for ARM (Debian
/// <c>binutils-arm-none-eabi</c>): <c>arm-none-eabi-as -mcpu=cortex-m0 -mthumb</c>, then <c>arm-none-eabi-objcopy -O
/// binary</c>. The programs are position-independent (PC-relative data only), so the unlinked .text is the image.
/// </summary>
internal static class ThumbAssembler
{
    private static readonly ConcurrentDictionary<string, byte[]> Cache = new();

    /// <summary>The flat binary of <c>Programs/<paramref name="name"/></c>, with <c>--defsym</c> symbols.</summary>
    public static byte[] Assemble(string name, params (string Symbol, long Value)[] symbols)
    {
        var assembler = ExternalTool.Require("arm-none-eabi-as", "binutils-arm-none-eabi");
        var objcopy = ExternalTool.Require("arm-none-eabi-objcopy", "binutils-arm-none-eabi");
        var key = name + string.Concat(symbols.Select(s => $";{s.Symbol}={s.Value}"));
        return Cache.GetOrAdd(key, _ =>
        {
            var source = Path.Combine(AppContext.BaseDirectory, "Chips", "Execution", "Programs", name);
            using var temp = new TempDirectory();
            var obj = Path.Combine(temp.Path, "program.o");
            var bin = Path.Combine(temp.Path, "program.bin");
            var arguments = new List<string> { "-mcpu=cortex-m0", "-mthumb", "-o", obj };
            foreach (var (symbol, value) in symbols)
            {
                arguments.Add("--defsym");
                arguments.Add($"{symbol}={value}");
            }

            arguments.Add(source);
            Run(assembler, arguments);
            Run(objcopy, ["-O", "binary", "-j", ".text", obj, bin]);
            var image = File.ReadAllBytes(bin);
            Assert.NotEmpty(image);
            return [.. image, .. new byte[(4 - (image.Length % 4)) % 4]];
        });
    }

    private static void Run(string tool, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{Path.GetFileName(tool)} failed: {error}");
    }
}

using System.Buffers.Binary;
using System.Globalization;

using ProdFlash.Core.Targets;

namespace ProdFlash.Emulator.Tests.Chips.Execution;

/// <summary>
/// Every ARMv6-M data-processing instruction's result and APSR flags, on edge operands and both carry-in values,
/// against the values the ARMv6-M pseudo-code gives (AluCases.g.cs, computed by Programs/alu_cases.py).
/// </summary>
public sealed class AluFlagTests
{
    private const uint Output = 0x2000_8000;
    private const uint StackTop = 0x2001_0000;

    [Theory]
    [InlineData("stm32l476rg")] // 96 KiB SRAM1: the 28 KiB program and 10 KiB of results fit
    [InlineData("stm32f407vg")]
    public async Task AluProgram_EveryCase_GivesTheArmPseudoCodeResultAndFlags(string chip)
    {
        var program = ThumbAssembler.Assemble("alu.S");
        var cases = AluCases.All;
        await using var slot = await CoreSlot.OpenAsync(chip);
        const uint output = Output;
        Assert.True(CoreSlot.SramBase + program.Length <= Output);
        await slot.LoadAsync(program, StackTop, (CoreRegister.R0, output));

        var state = await slot.RunToHaltAsync();

        Assert.True(state.Halted, $"DHCSR 0x{state.RawDhcsr:X8}");
        Assert.Equal(output + (uint)(cases.Length * 8), await slot.RegisterAsync(CoreRegister.R0));
        var results = await slot.ReadAsync(output, cases.Length * 8);
        var failures = new List<string>();
        for (var i = 0; i < cases.Length; i++)
        {
            var c = cases[i];
            var result = BinaryPrimitives.ReadUInt32LittleEndian(results.AsSpan(i * 8));
            var apsr = BinaryPrimitives.ReadUInt32LittleEndian(results.AsSpan((i * 8) + 4));
            if (result != c.Result || apsr != c.Apsr)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{c.Instruction} a=0x{c.A:X8} b=0x{c.B:X8} C={c.CarryIn}: got 0x{result:X8} APSR 0x{apsr:X8}, expected 0x{c.Result:X8} APSR 0x{c.Apsr:X8}"));
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
    }
}

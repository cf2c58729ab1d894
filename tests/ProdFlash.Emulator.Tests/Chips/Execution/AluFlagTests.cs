using System.Buffers.Binary;
using System.Globalization;

using ProdFlash.Core.Probes;
using ProdFlash.Core.Targets;
using ProdFlash.Probes.Gdb;
using ProdFlash.Testing;

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

    /// <summary>
    /// The same program on QEMU's Cortex-M4 (<c>-M netduinoplus2</c>, an STM32F405), through its GDB stub: QEMU's ARM
    /// implementation, which nobody here wrote, must give the results the Python model gave, so the expectations the
    /// interpreter is held to are not only our own reading of the pseudo-code.
    /// </summary>
    [Fact]
    public async Task AluProgram_OnQemu_GivesTheSameResultsAndFlags()
    {
        var ct = TestContext.Current.CancellationToken;
        var program = ThumbAssembler.Assemble("alu.S").ToArray(); // a copy: the assembler's bytes are shared between tests
        var cases = AluCases.All;

        // QEMU has no halting debug on BKPT (it escalates to HardFault and, with no handler, to a lockup that ends
        // QEMU): the program's final BKPT #4 (0xBE04) becomes "b ." (0xE7FE), where the halt below finds it.
        var end = program.Length - 2;
        while (end >= 0 && !(program[end] == 0x04 && program[end + 1] == 0xBE))
        {
            end -= 2;
        }

        Assert.True(end >= 0, "alu.S ends with BKPT #4");
        program[end] = 0xFE;
        program[end + 1] = 0xE7;
        await using var qemu = await QemuMachine.StartAsync(gdbHalted: true, board: "netduinoplus2");
        await using var probe = (GdbProbe)await new GdbProbeProvider().OpenAsync(ProbeSelector.Parse(qemu.GdbSelector), ct);
        await probe.ConnectAsync(ct);
        var core = probe.Core;
        var memory = probe.Memory;
        var unwritten = Enumerable.Repeat((byte)0xA5, cases.Length * 8).ToArray();
        await memory.WriteAsync(Output, unwritten, AccessWidth.Word, ct);
        await memory.WriteAsync(CoreSlot.SramBase, program, AccessWidth.Word, ct);
        await core.WriteRegisterAsync(CoreRegister.R0, Output, ct);
        await core.WriteRegisterAsync(CoreRegister.Sp, StackTop, ct);
        await core.WriteRegisterAsync(CoreRegister.Pc, CoreSlot.SramBase, ct);
        await core.WriteRegisterAsync(CoreRegister.Xpsr, 0x0100_0000, ct); // Thumb

        // Let it run to its final loop, then halt and read what it stored.
        await core.RunAsync(ct);
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        await core.HaltAsync(ct);
        Assert.Equal(CoreSlot.SramBase + (uint)end, await core.ReadRegisterAsync(CoreRegister.Pc, ct)); // it ran to its end
        var results = new byte[cases.Length * 8];
        await memory.ReadAsync(Output, results, AccessWidth.Word, ct);

        var failures = new List<string>();
        for (var i = 0; i < cases.Length; i++)
        {
            var c = cases[i];
            var result = BinaryPrimitives.ReadUInt32LittleEndian(results.AsSpan(i * 8));
            var apsr = BinaryPrimitives.ReadUInt32LittleEndian(results.AsSpan((i * 8) + 4)) & 0xF800_0000; // NZCVQ; QEMU's MRS APSR may carry GE bits
            if (result != c.Result || apsr != (c.Apsr & 0xF800_0000))
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{c.Instruction} a=0x{c.A:X8} b=0x{c.B:X8} C={c.CarryIn}: QEMU 0x{result:X8} APSR 0x{apsr:X8}, model 0x{c.Result:X8} APSR 0x{c.Apsr:X8}"));
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Length} cases differ:{Environment.NewLine}{string.Join(Environment.NewLine, failures.Take(20))}");
    }
}

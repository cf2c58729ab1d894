using System.Buffers.Binary;

using ProdFlash.Core.Targets;

namespace ProdFlash.Emulator.Tests.Chips.Execution;

/// <summary>The ARMv7-M Thumb-2 subset runs on the Cortex-M3/M4 parts and locks an ARMv6-M core up.</summary>
public sealed class Thumb2ExecutionTests
{
    private const uint Output = 0x2000_1000;
    private const uint Input = 0x2000_1100;
    private const uint StackTop = 0x2000_2000;

    [Theory]
    [InlineData("stm32f407vg")]
    [InlineData("stm32l476rg")]
    [InlineData("stm32f103c8")]
    public async Task Thumb2Program_OnAnArmV7MCore_GivesTheArchitectedResults(string chip)
    {
        await using var slot = await CoreSlot.OpenAsync(chip);
        await slot.WriteAsync(Input, [.. Enumerable.Range(0x80, 16).Select(b => (byte)b)]);
        await slot.LoadAsync(ThumbAssembler.Assemble("thumb2.S"), StackTop, (CoreRegister.R0, Output), (CoreRegister.R1, Input));

        var state = await slot.RunToHaltAsync();

        Assert.True(state.Halted, $"DHCSR 0x{state.RawDhcsr:X8}");
        var output = await slot.ReadAsync(Output, 40);
        uint[] expected = [0x12345678, 0x12346677, 0xFF00FF00, 1, 0x60000000, 0xFFFFFF81, 0x8382, Input + 2, 5, 1];
        Assert.Equal(expected, Enumerable.Range(0, 10).Select(i => BinaryPrimitives.ReadUInt32LittleEndian(output.AsSpan(i * 4))).ToArray());
        Assert.Equal(Output + 40, await slot.RegisterAsync(CoreRegister.R0));
    }

    [Fact]
    public async Task Thumb2Program_OnTheCortexM0PlusOfG071_LocksUpAtTheFirstThumb2Instruction()
    {
        await using var slot = await CoreSlot.OpenAsync("stm32g071rb");
        await slot.LoadAsync(ThumbAssembler.Assemble("thumb2.S"), StackTop, (CoreRegister.R0, Output), (CoreRegister.R1, Input));

        var state = await slot.RunToHaltAsync();

        Assert.True(state.LockedUp);
        await slot.Core.HaltAsync(TestContext.Current.CancellationToken);
        Assert.Equal(CoreSlot.SramBase, await slot.RegisterAsync(CoreRegister.Pc)); // MOVW is ARMv7-M only
    }
}

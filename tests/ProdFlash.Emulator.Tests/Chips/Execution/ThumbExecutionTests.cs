using System.Buffers.Binary;

using ProdFlash.Core.Serialization;
using ProdFlash.Core.Targets;
using ProdFlash.Emulator.Chips;

namespace ProdFlash.Emulator.Tests.Chips.Execution;

/// <summary>
/// Code the debugger writes into SRAM executes on the emulated core: programs assembled from Programs/*.S, loaded and
/// run through the emulated ST-LINK, StLinkProbe and CortexMCore, results read back as a debugger reads them.
/// </summary>
public sealed class ThumbExecutionTests
{
    private const uint Output = 0x2000_0400;
    private const uint Input = 0x2000_0800;
    private const uint StackTop = 0x2000_1000;
    private const uint Data = 0x2000_1000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("stm32f103c8")]
    [InlineData("stm32g071rb")]
    [InlineData("stm32l476rg")]
    public async Task Crc32Program_OverABuffer_MatchesTheHostCrc32(string chip)
    {
        await using var slot = await CoreSlot.OpenAsync(chip);
        var data = new byte[1000];
        new Random(7).NextBytes(data);
        await slot.WriteAsync(Data, data);
        await slot.LoadAsync(ThumbAssembler.Assemble("crc32.S"), StackTop, (CoreRegister.R0, Data), (CoreRegister.R1, (uint)data.Length));

        var state = await slot.RunToHaltAsync();

        Assert.True(state.Halted);
        Assert.False(state.LockedUp);
        Assert.Equal(Crc32.Compute(data), await slot.RegisterAsync(CoreRegister.R0));
    }

    [Fact]
    public async Task LoadStoreProgram_EveryWidthAndAddressingMode_ReadsAndWritesTheExpectedBytes()
    {
        await using var slot = await CoreSlot.OpenAsync("stm32f103c8");
        var input = Enumerable.Range(0x80, 16).Select(b => (byte)b).ToArray();
        await slot.WriteAsync(Input, input);
        await slot.WriteAsync(Output, new byte[96]);
        await slot.LoadAsync(ThumbAssembler.Assemble("loadstore.S"), StackTop, (CoreRegister.R0, Output), (CoreRegister.R1, Input));

        var state = await slot.RunToHaltAsync();

        Assert.True(state.Halted);
        var output = await slot.ReadAsync(Output, 96);
        uint Word(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(output.AsSpan(offset));
        Assert.Equal(0x83828180u, Word(0));
        Assert.Equal(0x87868584u, Word(4));
        Assert.Equal(0x8382u, Word(8));
        Assert.Equal(0x83u, Word(12));
        Assert.Equal(0xFFFF8786u, Word(16)); // LDRSH sign-extends
        Assert.Equal(0xFFFFFF87u, Word(20)); // LDRSB sign-extends
        Assert.Equal(0x8B8A8988u, Word(24));
        Assert.Equal(0x8988u, Word(28));
        Assert.Equal(0x88u, Word(32));
        Assert.Equal(0xA1B2C3D4u, Word(36));
        Assert.Equal(new byte[] { 0xD4, 0xC3, 0xD4, 0xC3, 0xD4, 0xD4, 0x5A, 0x5A }, output[40..48]);
        Assert.Equal(0xA1B2C3D4u, Word(48)); // through the stack
        Assert.Equal(0x13579BDFu, Word(52)); // LDR (literal)
        Assert.Equal(0x13579BDFu, Word(56)); // ADR + LDR
        Assert.Equal(StackTop + 16, Word(60));
        Assert.Equal(input[..12], output[64..76]); // LDM/STM
        Assert.Equal(Input + 12, Word(76));
        Assert.Equal(Output + 76, Word(80));
        Assert.Equal(0x87868584u, Word(84)); // LDM with the base in the list loads it
        Assert.Equal(StackTop, await slot.RegisterAsync(CoreRegister.Sp));
    }

    [Fact]
    public async Task BranchProgram_CallsReturnsAndConditions_FollowTheArmConditionTable()
    {
        await using var slot = await CoreSlot.OpenAsync("stm32g071rb");
        const int Conditions = 14;
        await slot.WriteAsync(Output, new byte[8 + (16 * Conditions)]);
        var program = ThumbAssembler.Assemble("branches.S");
        await slot.LoadAsync(program, StackTop, (CoreRegister.R0, Output));

        var state = await slot.RunToHaltAsync();

        Assert.True(state.Halted);
        var output = await slot.ReadAsync(Output, 8 + (16 * Conditions));
        Assert.Equal(0x22u, BinaryPrimitives.ReadUInt32LittleEndian(output)); // BL → PUSH {r4, lr} … POP {r4, pc}
        Assert.Equal(0x33u, BinaryPrimitives.ReadUInt32LittleEndian(output.AsSpan(4))); // BLX → BX LR
        for (var nzcv = 0; nzcv < 16; nzcv++)
        {
            bool n = (nzcv & 8) != 0, z = (nzcv & 4) != 0, c = (nzcv & 2) != 0, v = (nzcv & 1) != 0;
            // ARMv6-M ARM table A6-1: EQ NE CS CC MI PL VS VC HI LS GE LT GT LE.
            bool[] expected = [z, !z, c, !c, n, !n, v, !v, c && !z, !c || z, n == v, n != v, !z && n == v, z || n != v];
            var actual = output.AsSpan(8 + (nzcv * Conditions), Conditions).ToArray().Select(b => b == 1).ToArray();
            Assert.True(expected.SequenceEqual(actual), $"NZCV={Convert.ToString(nzcv, 2).PadLeft(4, '0')}: expected {string.Join(',', expected)}, got {string.Join(',', actual)}");
        }

        Assert.Equal(StackTop, await slot.RegisterAsync(CoreRegister.Sp));
    }

    [Fact]
    public async Task Bkpt_HaltsWithDfsrBkptAndThePcAtTheInstruction()
    {
        await using var slot = await CoreSlot.OpenAsync("stm32f103c8");
        var program = ThumbAssembler.Assemble("crc32.S");
        await slot.LoadAsync(program, StackTop, (CoreRegister.R0, Data), (CoreRegister.R1, 0u));
        await slot.Memory.WriteUInt32Async(CortexM3Core.DfsrAddress, 0x1F, Ct);

        await slot.RunToHaltAsync();

        var pc = await slot.RegisterAsync(CoreRegister.Pc);
        var opcode = BinaryPrimitives.ReadUInt16LittleEndian(program.AsSpan((int)(pc - CoreSlot.SramBase)));
        Assert.Equal(0xBE42, opcode); // BKPT #0x42
        Assert.Equal(CortexM3Core.DfsrBkpt, await slot.ReadWordAsync(CortexM3Core.DfsrAddress) & CortexM3Core.DfsrBkpt);
        Assert.Equal(Crc32.Compute([]), await slot.RegisterAsync(CoreRegister.R0)); // CRC-32 of nothing
    }

    [Fact]
    public async Task HaltRequest_OnASpinLoop_StopsAtTheLoopAfterModeledTimePassed()
    {
        await using var slot = await CoreSlot.OpenAsync("stm32l476rg");
        await slot.LoadAsync(ThumbAssembler.Assemble("faults.S"), StackTop);
        await slot.Core.RunAsync(Ct);
        var started = slot.Now;
        for (var i = 0; i < 20; i++)
        {
            var running = await slot.Core.GetStateAsync(Ct);
            Assert.False(running.Halted);
            Assert.False(running.LockedUp);
        }

        await slot.Core.HaltAsync(Ct);

        Assert.True(slot.Now > started);
        Assert.Equal(CoreSlot.SramBase, await slot.RegisterAsync(CoreRegister.Pc));
        Assert.Equal(CortexM3Core.DfsrHalted, await slot.ReadWordAsync(CortexM3Core.DfsrAddress) & CortexM3Core.DfsrHalted);
    }

    [Fact]
    public async Task Step_WhileHalted_ExecutesOneSramInstructionAndHaltsAgain()
    {
        await using var slot = await CoreSlot.OpenAsync("stm32g071rb");
        await slot.LoadAsync(ThumbAssembler.Assemble("crc32.S"), StackTop, (CoreRegister.R0, Data), (CoreRegister.R1, 4u), (CoreRegister.R2, 0x1234u));
        const uint Step = (CortexM3Core.DbgKey << 16) | CortexM3Core.CDebugEn | CortexM3Core.CStep;

        await slot.Memory.WriteUInt32Async(CortexM3Core.DhcsrAddress, Step, Ct); // movs r2, #0
        var afterFirst = await slot.Core.GetStateAsync(Ct);
        var pcAfterFirst = await slot.RegisterAsync(CoreRegister.Pc);
        var r2AfterFirst = await slot.RegisterAsync(CoreRegister.R2);
        await slot.Memory.WriteUInt32Async(CortexM3Core.DhcsrAddress, Step, Ct); // mvns r2, r2

        Assert.True(afterFirst.Halted);
        Assert.Equal(CoreSlot.SramBase + 2, pcAfterFirst);
        Assert.Equal(0u, r2AfterFirst);
        Assert.True((await slot.Core.GetStateAsync(Ct)).Halted);
        Assert.Equal(CoreSlot.SramBase + 4, await slot.RegisterAsync(CoreRegister.Pc));
        Assert.Equal(0xFFFFFFFFu, await slot.RegisterAsync(CoreRegister.R2));
    }

    [Fact]
    public async Task SystemReset_WhileSramCodeRuns_StopsItAndTheCoreRunsFirmwareAbstractly()
    {
        await using var slot = await CoreSlot.OpenAsync("stm32f103c8");
        await slot.WriteAsync(Data, new byte[4]);
        await slot.LoadAsync(ThumbAssembler.Assemble("counter.S"), StackTop, (CoreRegister.R0, Data));
        await slot.Core.RunAsync(Ct);
        var first = await slot.ReadWordAsync(Data);
        var second = await slot.ReadWordAsync(Data);

        await slot.Memory.WriteUInt32Async(CortexM3Core.AircrAddress, (CortexM3Core.VectKey << 16) | CortexM3Core.AircrSysResetReq, Ct);
        var afterReset = await slot.ReadWordAsync(Data);
        var later = await slot.ReadWordAsync(Data);

        Assert.True(second > first && first > 0, $"the loop counted {first} then {second}");
        Assert.Equal(afterReset, later); // SRAM survives the reset; nothing counts any more
        var state = await slot.Core.GetStateAsync(Ct);
        Assert.False(state.Halted);
        Assert.False(state.LockedUp);
    }

    [Theory]
    [InlineData(2, "undefined instruction")]
    [InlineData(4, "unaligned load")]
    [InlineData(6, "bus fault")]
    [InlineData(8, "SVC")]
    [InlineData(10, "branch out of SRAM")]
    public async Task FaultingInstruction_LocksUp_AndAHaltLeavesThePcAtIt(uint offset, string what)
    {
        await using var slot = await CoreSlot.OpenAsync("stm32f103c8");
        await slot.LoadAsync(
            ThumbAssembler.Assemble("faults.S"),
            StackTop,
            (CoreRegister.R1, Data + 1),
            (CoreRegister.R2, 0x6000_0000),
            (CoreRegister.R3, 0x6000_0001));
        await slot.Core.WriteRegisterAsync(CoreRegister.Pc, CoreSlot.SramBase + offset, Ct);

        var state = await slot.RunToHaltAsync();

        Assert.True(state.LockedUp, what);
        Assert.False(state.Halted, what);
        Assert.NotEqual(0u, state.RawDhcsr & CortexM3Core.SLockup);
        await slot.Core.HaltAsync(Ct);
        Assert.Equal(CoreSlot.SramBase + offset, await slot.RegisterAsync(CoreRegister.Pc));
    }

    [Fact]
    public async Task FlashStores_WhileBusy_StallTheCoreUntilEachHalfWordIsProgrammed()
    {
        await using var slot = await CoreSlot.OpenAsync("stm32f103c8");
        const uint FlashKeyr = 0x4002_2004, FlashSr = 0x4002_200C, FlashCr = 0x4002_2010, Target = 0x0800_4000;
        const int Count = 1000;
        await slot.Memory.WriteUInt32Async(FlashKeyr, 0x4567_0123, Ct);
        await slot.Memory.WriteUInt32Async(FlashKeyr, 0xCDEF_89AB, Ct);
        await slot.Memory.WriteUInt32Async(FlashCr, 1, Ct); // PG
        await slot.LoadAsync(ThumbAssembler.Assemble("flashstall.S"), StackTop, (CoreRegister.R0, Target), (CoreRegister.R1, Count), (CoreRegister.R2, 0x1000u));
        var start = slot.Now;

        var state = await slot.RunToHaltAsync();

        var elapsed = slot.Now - start;
        Assert.True(state.Halted);
        var programmed = await slot.ReadAsync(Target, Count * 2);
        for (var i = 0; i < Count; i++)
        {
            Assert.Equal(0x1000 + i, BinaryPrimitives.ReadUInt16LittleEndian(programmed.AsSpan(i * 2)));
        }

        Assert.Equal(0x1000u + Count - 1, await slot.RegisterAsync(CoreRegister.R3)); // the load waited for the last half-word
        Assert.Equal(0u, await slot.ReadWordAsync(FlashSr) & 0x14); // no PGERR, no WRPRTERR
        var floor = TimeSpan.FromMicroseconds(52.5 * Count); // RM0008 / catalog: 52.5 µs per half-word
        Assert.True(elapsed >= floor, $"{elapsed.TotalMilliseconds} ms < {floor.TotalMilliseconds} ms");
        // The host sees the halt one poll (a USB transaction of modeled time) late, and RUN/poll cost a few more.
        Assert.True(elapsed < floor + TimeSpan.FromMilliseconds(5), $"{elapsed.TotalMilliseconds} ms: the stall overran");
    }
}

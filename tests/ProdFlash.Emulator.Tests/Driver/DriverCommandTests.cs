using ProdFlash.Core.Targets;
using ProdFlash.Probes.Arm;
using ProdFlash.Probes.StLink;
using ProdFlash.Testing.StLink;

using EmulatedMode = ProdFlash.Emulator.StLink.StLinkMode;

namespace ProdFlash.Emulator.Tests.Driver;

/// <summary>Every command of <see cref="StLinkProbe"/> against the emulated firmware, on the personalities that differ.</summary>
public sealed class DriverCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // PM0056 §4.3.1 / ARMv7-M ARM C1.6.2: DHCSR write key and bits.
    private const uint DhcsrKeyHalt = 0xA05F_0003;
    private const uint DhcsrSHalt = 1u << 17;

    [Fact]
    public async Task ReadModeAsync_OpenThenEnterThenClose_MassDebugMass()
    {
        await using var slot = await EmulatedSlot.OpenAsync();

        var afterOpen = await slot.Probe.ReadModeAsync(Ct);
        await slot.Probe.EnterSwdAsync(Ct);
        var afterEnter = await slot.Probe.ReadModeAsync(Ct);
        await slot.Probe.CloseAsync(Ct);
        var afterClose = await slot.Probe.ReadModeAsync(Ct);

        Assert.Equal(StLinkMode.MassStorage, afterOpen);
        Assert.Equal(StLinkMode.Debug, afterEnter);
        Assert.Equal(StLinkMode.MassStorage, afterClose);
    }

    [Fact]
    public async Task OpenAsync_ProbeLeftInDebugMode_LeavesItLikeOpenOcd()
    {
        await using (var first = await EmulatedSlot.OpenAsync())
        {
            await first.Probe.EnterSwdAsync(Ct);
        }

        var hardware = (await EmulatedSlot.OpenAsync()).Hardware;
        var wire = new ProdFlash.Emulator.StLink.EmulatedStLinkWire(hardware);
        hardware.Execute([0xF2, 0x30, 0xA3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [], new byte[2]);
        await using var probe = new StLinkProbe(wire);

        var info = await probe.OpenAsync(Ct);

        Assert.Equal(StLinkMode.Debug, info.ModeAtOpen);
        Assert.Equal(EmulatedMode.Mass, hardware.Mode);
    }

    [Theory]
    [InlineData(4000, 4000)]
    [InlineData(1000, 950)] // highest table entry not above the request (OCD:532-556)
    [InlineData(100, 100)]
    [InlineData(3, 5)] // below the table: its lowest entry
    public async Task SetSwdFrequencyAsync_V2J37_DivisorTable(int requested, int applied)
    {
        await using var slot = await EmulatedSlot.OpenAsync();

        var result = await slot.Target.SetFrequencyAsync(requested, Ct);

        Assert.Equal(applied, result);
    }

    [Fact]
    public async Task ReadComFrequenciesAsync_V3J9_SwdTableOfTheV3()
    {
        await using var slot = await EmulatedSlot.OpenAsync("v3j9");

        var table = await slot.Probe.ReadComFrequenciesAsync(Ct);
        var applied = await slot.Target.SetFrequencyAsync(4000, Ct);

        Assert.Equal([24000, 8000, 3300, 1000, 200, 50, 5], table);
        Assert.Equal(3300, applied);
    }

    [Fact]
    public async Task ReadComFrequenciesAsync_V2_FirmwareTooOldNamingV3()
    {
        await using var slot = await EmulatedSlot.OpenAsync();

        var error = await Assert.ThrowsAsync<StLinkFirmwareTooOldException>(async () => await slot.Probe.ReadComFrequenciesAsync(Ct));

        Assert.Contains("V2J37S7 has no GET_COM_FREQ (F2 62); it needs any V3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadTargetVoltageAsync_PoweredF103_3V3FromTheAdcSamples()
    {
        await using var slot = await EmulatedSlot.OpenAsync();

        var voltage = await slot.Target.ReadTargetVoltageAsync(Ct);

        Assert.True(voltage.CanMeasure);
        Assert.InRange(voltage.Volts, 3.28, 3.32); // OpenOCD prints 3.299 for the same board (OpenOcdConformanceTests)
        Assert.StartsWith("adc0=1521 adc1=", voltage.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitApAndCloseAp_V2J37_AcceptedAndDebugRegistersStillWork()
    {
        await using var slot = await EmulatedSlot.ConnectedAsync();

        await slot.Probe.InitApAsync(0, Ct);
        var idr = await slot.Target.ReadApAsync(0, MemApRegisters.Idr, Ct);
        await slot.Probe.CloseApAsync(0, Ct);

        Assert.Equal(0x14770011u, idr); // Cortex-M3 AHB-AP IDR (reference stm32-targets §2)
    }

    [Fact]
    public async Task WriteDebugRegisterAsync_DhcsrHalt_CoreReportsHalted()
    {
        await using var slot = await EmulatedSlot.ConnectedAsync();

        await slot.Probe.WriteDebugRegisterAsync(CortexM.Dhcsr, DhcsrKeyHalt, Ct);
        var dhcsr = await slot.Probe.ReadDebugRegisterAsync(CortexM.Dhcsr, Ct);
        var state = await slot.Target.Core.GetStateAsync(Ct);

        Assert.NotEqual(0u, dhcsr & DhcsrSHalt);
        Assert.True(state.Halted);
    }

    [Fact]
    public async Task CoreControl_ResetHaltWriteRegisterRun_StatesAndRegisterFollow()
    {
        await using var slot = await EmulatedSlot.ConnectedAsync();

        await slot.Target.Core.ResetAndHaltAsync(Ct);
        var halted = await slot.Target.Core.GetStateAsync(Ct);
        await slot.Target.Core.WriteRegisterAsync(CoreRegister.R0, 0x1234_5678, Ct);
        var r0 = await slot.Target.Core.ReadRegisterAsync(CoreRegister.R0, Ct);
        await slot.Target.Core.RunAsync(Ct);
        var running = await slot.Target.Core.GetStateAsync(Ct);

        Assert.True(halted.Halted);
        Assert.Equal(0x1234_5678u, r0);
        Assert.False(running.Halted);
    }

    [Fact]
    public async Task DriveResetLineAsync_AssertThenRelease_CoreSeesAReset()
    {
        await using var slot = await EmulatedSlot.ConnectedAsync();
        await slot.Target.Core.GetStateAsync(Ct); // clears S_RESET_ST

        await slot.Target.DriveResetLineAsync(ResetLineAction.Assert, Ct);
        await slot.Target.DriveResetLineAsync(ResetLineAction.Release, Ct);
        var state = await slot.Target.Core.GetStateAsync(Ct);

        Assert.True(state.ResetSinceLastRead);
    }

    [Fact]
    public async Task DriveResetLineAsync_Pulse_CoreSeesAReset()
    {
        await using var slot = await EmulatedSlot.ConnectedAsync();
        await slot.Target.Core.GetStateAsync(Ct);

        await slot.Target.DriveResetLineAsync(ResetLineAction.Pulse, Ct);
        var state = await slot.Target.Core.GetStateAsync(Ct);

        Assert.True(state.ResetSinceLastRead);
    }

    [Theory]
    [InlineData("v2j37")]
    [InlineData("v2j17")]
    [InlineData("v3j9")]
    public async Task ReadAsync_F103Identity_DeviceIdFlashSizeAndUidAsTheChipHoldsThem(string personality)
    {
        await using var slot = await EmulatedSlot.ConnectedAsync(personality);

        var idcode = await slot.Target.Memory.ReadUInt32Async(0xE004_2000, Ct); // DBGMCU_IDCODE, RM0008 §31.6.1
        var flashSize = await slot.Target.Memory.ReadUInt16Async(0x1FFF_F7E0, Ct); // F_SIZE, RM0008 §30.1
        var uid = new byte[12];
        await slot.Target.Memory.ReadAsync(0x1FFF_F7E8, uid, AccessWidth.Word, Ct); // U_ID, RM0008 §30.2

        Assert.Equal(0x410u, idcode & 0xFFF); // medium-density
        Assert.Equal(64, flashSize);
        Assert.Contains(uid, b => b != 0);
    }

    [Theory]
    [InlineData("v2j37")]
    [InlineData("v3j9")]
    public async Task ReadApAsync_UidThroughTarAndDrw_SameWordsAsMemoryCommands(string personality)
    {
        await using var slot = await EmulatedSlot.ConnectedAsync(personality);
        var viaMemory = new byte[12];
        await slot.Target.Memory.ReadAsync(0x1FFF_F7E8, viaMemory, AccessWidth.Word, Ct);

        var viaAp = new byte[12];
        await slot.Target.WriteApAsync(0, MemApRegisters.Csw, 0xA200_0002, Ct); // 32-bit, no increment (ADIv5 §7.2.3)
        for (var i = 0; i < 3; i++)
        {
            await slot.Target.WriteApAsync(0, MemApRegisters.Tar, 0x1FFF_F7E8 + (uint)(4 * i), Ct);
            var word = await slot.Target.ReadApAsync(0, MemApRegisters.Drw, Ct);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(viaAp.AsSpan(4 * i), word);
        }

        Assert.Equal(viaMemory, viaAp);
    }

    [Fact]
    public async Task WriteThenReadAsync_HalfWordsOnV2J17WithoutMem16_FallsBackTo8BitAndRoundTrips()
    {
        await using var slot = await EmulatedSlot.ConnectedAsync("v2j17");
        var data = Enumerable.Range(0, 40).Select(i => (byte)(0xA0 + i)).ToArray();
        slot.Hardware.StartRecording();

        await slot.Target.Memory.WriteAsync(EmulatedSlot.SramBase, data, AccessWidth.HalfWord, Ct);
        var back = new byte[data.Length];
        await slot.Target.Memory.ReadAsync(EmulatedSlot.SramBase, back, AccessWidth.HalfWord, Ct);

        Assert.Equal(data, back);
        Assert.All(slot.MemoryCommands(), c => Assert.True(c.Op is 0x0C or 0x0D, $"command F2 {c.Op:X2} is not an 8-bit one"));
    }

    [Fact]
    public async Task WriteThenReadAsync_HalfWordsOnV2J37_Uses16BitCommands()
    {
        await using var slot = await EmulatedSlot.ConnectedAsync();
        var data = Enumerable.Range(0, 40).Select(i => (byte)(0x30 + i)).ToArray();
        slot.Hardware.StartRecording();

        await slot.Target.Memory.WriteAsync(EmulatedSlot.SramBase + 2, data, AccessWidth.HalfWord, Ct);
        var back = new byte[data.Length];
        await slot.Target.Memory.ReadAsync(EmulatedSlot.SramBase + 2, back, AccessWidth.HalfWord, Ct);

        Assert.Equal(data, back);
        Assert.Equal([(0x48, EmulatedSlot.SramBase + 2, 40), (0x47, EmulatedSlot.SramBase + 2, 40)], slot.MemoryCommands().Select(c => ((int)c.Op, c.Address, c.Length)));
    }

    [Fact]
    public async Task DisposeAsync_Connected_ClosesApAndLeavesDebugMode()
    {
        var slot = await EmulatedSlot.ConnectedAsync();

        await slot.DisposeAsync();

        Assert.Equal(EmulatedMode.Mass, slot.Hardware.Mode);
    }

    [Fact]
    public async Task ConnectAsync_V2J17WithoutDapRegisters_ConnectsWithoutPowerUpHandshake()
    {
        await using var slot = await EmulatedSlot.OpenAsync("v2j17");

        var connection = await slot.Target.ConnectAsync(Ct);

        Assert.Equal(StLinkDriverContract.F103DpIdr, connection.DpIdr);
        Assert.Null(slot.Target.Dap);
        Assert.Equal(StLinkDriverContract.F103Cpuid, slot.Target.Cpuid);
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Probes;
using ProdFlash.Core.Targets;
using ProdFlash.Probes.Gdb;
using ProdFlash.Testing;

namespace ProdFlash.Probes.Tests.Gdb;

/// <summary>
/// The GDB probe against Debian's QEMU (<c>-M stm32vldiscovery</c>, an STM32F100RB Cortex-M3) through its GDB stub:
/// memory, flash at 0x08000000 by plain writes, registers, monitor reset, run and halt, detach.
/// </summary>
public sealed class GdbQemuTests
{
    private const uint Sram = 0x2000_0000;
    private const uint Flash = 0x0800_0000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Open_QemuStub_NoMemoryMapNoAckModeAndTargetDescription()
    {
        await using var qemu = await QemuMachine.StartAsync(gdbHalted: true);

        await using var probe = (GdbProbe)await new GdbProbeProvider().OpenAsync(ProbeSelector.Parse(qemu.GdbSelector), Ct);

        Assert.Equal("GDB server", probe.Description.Kind);
        Assert.Equal(qemu.GdbSelector, probe.Description.Location);
        Assert.Equal(0x1000, probe.Client.PacketSize);
        Assert.False(probe.Client.Channel.NoAck);
        Assert.Empty(probe.MemoryMap);
        Assert.Empty(probe.FlashRegions);
        Assert.Equal(25, probe.Client.RegisterNumbers["xpsr"]);
        Assert.Equal(15, probe.Client.RegisterNumbers["pc"]);
    }

    [Fact]
    public async Task Connect_QemuStub_HaltedCpuidCortexM3AndNothingFaked()
    {
        await using var qemu = await QemuMachine.StartAsync(gdbHalted: true);
        await using var probe = (GdbProbe)await new GdbProbeProvider().OpenAsync(ProbeSelector.Parse(qemu.GdbSelector), Ct);

        var connection = await probe.ConnectAsync(Ct);
        var state = await probe.Core.GetStateAsync(Ct);
        var voltage = await probe.ReadTargetVoltageAsync(Ct);

        Assert.Equal(0x410F_C231u, probe.Cpuid); // Cortex-M3 r1p1, ARMv7-M ARM B3.2.3
        Assert.True(state.Halted);
        Assert.Equal(0u, connection.DpIdr);
        Assert.False(voltage.CanMeasure);
        Assert.StartsWith("not available", voltage.Evidence, StringComparison.Ordinal);
        Assert.Equal(ProbeFeatures.TargetVoltage | ProbeFeatures.ResetLine | ProbeFeatures.SwdClock | ProbeFeatures.DebugPortIdentity | ProbeFeatures.DapRegisters, probe.Unavailable);
        Assert.Null(probe.Dap);
        await Assert.ThrowsAsync<TargetException>(async () => await probe.DriveResetLineAsync(ResetLineAction.Assert, Ct));
    }

    [Fact]
    public async Task Memory_RamWriteThenRead_SameBytesOverSeveralPackets()
    {
        await using var qemu = await QemuMachine.StartAsync(gdbHalted: true);
        await using var probe = await new GdbProbeProvider().OpenAsync(ProbeSelector.Parse(qemu.GdbSelector), Ct);
        await probe.ConnectAsync(Ct);
        var data = Enumerable.Range(0, 6000).Select(i => (byte)((i * 7) ^ (i >> 3))).ToArray();

        await probe.Memory.WriteAsync(Sram + 1, data, AccessWidth.Word, Ct);
        var back = new byte[data.Length];
        await probe.Memory.ReadAsync(Sram + 1, back, AccessWidth.Word, Ct);

        Assert.Equal(data, back);
    }

    [Fact]
    public async Task Flash_PlainWritesAt08000000_ReadBack()
    {
        await using var qemu = await QemuMachine.StartAsync(gdbHalted: true);
        await using var probe = await new GdbProbeProvider().OpenAsync(ProbeSelector.Parse(qemu.GdbSelector), Ct);
        await probe.ConnectAsync(Ct);
        var image = Enumerable.Range(0, 4096).Select(i => (byte)(i * 151)).ToArray();

        await probe.Memory.WriteAsync(Flash, image, AccessWidth.Word, Ct);
        var back = new byte[image.Length];
        await probe.Memory.ReadAsync(Flash, back, AccessWidth.Word, Ct);

        Assert.Equal(image, back);
    }

    [Fact]
    public async Task Memory_UnmodeledIdentityRegister_MemoryFaultNamingAddress()
    {
        // QEMU 7.2 does not model the F1 flash-size register (RM0041 §30.1): the identity read is not available.
        await using var qemu = await QemuMachine.StartAsync(gdbHalted: true);
        await using var probe = await new GdbProbeProvider().OpenAsync(ProbeSelector.Parse(qemu.GdbSelector), Ct);
        await probe.ConnectAsync(Ct);

        var fault = await Assert.ThrowsAsync<TargetMemoryFaultException>(async () => await probe.Memory.ReadUInt16Async(0x1FFF_F7E0, Ct));

        Assert.Equal(0x1FFF_F7E0u, fault.Address);
        Assert.Contains("E14", fault.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registers_WriteThenRead_ThroughPAndP()
    {
        await using var qemu = await QemuMachine.StartAsync(gdbHalted: true);
        await using var probe = (GdbProbe)await new GdbProbeProvider().OpenAsync(ProbeSelector.Parse(qemu.GdbSelector), Ct);
        await probe.ConnectAsync(Ct);

        await probe.Core.WriteRegisterAsync(CoreRegister.R0, 0x1122_3344, Ct);
        await probe.Core.WriteRegisterAsync(CoreRegister.R12, 0xCAFE_F00D, Ct);
        var r0 = await probe.Core.ReadRegisterAsync(CoreRegister.R0, Ct);
        var r12 = await probe.Core.ReadRegisterAsync(CoreRegister.R12, Ct);
        var all = await probe.Client.ReadAllRegistersAsync(Ct);

        Assert.Equal(0x1122_3344u, r0);
        Assert.Equal(0xCAFE_F00Du, r12);
        Assert.True(probe.Client.SingleRegisters);
        Assert.Equal(0x1122_3344u, BinaryPrimitives.ReadUInt32LittleEndian(all));
        Assert.Equal(0xCAFE_F00Du, BinaryPrimitives.ReadUInt32LittleEndian(all.AsSpan(12 * 4)));
    }

    [Fact]
    public async Task ResetAndHalt_VectorTableInFlash_PcAndSpFromVectors()
    {
        await using var qemu = await QemuMachine.StartAsync(gdbHalted: true);
        await using var probe = (GdbProbe)await new GdbProbeProvider().OpenAsync(ProbeSelector.Parse(qemu.GdbSelector), Ct);
        await probe.ConnectAsync(Ct);
        await WriteLoopFirmwareAsync(probe);

        await probe.Core.ResetAndHaltAsync(Ct);
        var pc = await probe.Core.ReadRegisterAsync(CoreRegister.Pc, Ct);
        var sp = await probe.Core.ReadRegisterAsync(CoreRegister.Sp, Ct);

        Assert.Equal("system_reset", probe.ResetCommand); // OpenOCD's "reset halt" is unknown to QEMU
        Assert.Equal(0x0800_0100u, pc);
        Assert.Equal(0x2000_2000u, sp);
    }

    [Fact]
    public async Task RunThenHalt_LoopFirmware_RunningThenHaltedInTheLoop()
    {
        await using var qemu = await QemuMachine.StartAsync(gdbHalted: true);
        await using var probe = (GdbProbe)await new GdbProbeProvider().OpenAsync(ProbeSelector.Parse(qemu.GdbSelector), Ct);
        await probe.ConnectAsync(Ct);
        await WriteLoopFirmwareAsync(probe);
        await probe.Core.ResetAndHaltAsync(Ct);

        await probe.Core.RunAsync(Ct);
        var running = await probe.Core.GetStateAsync(Ct);
        var readWhileRunning = await Assert.ThrowsAsync<TargetException>(async () => await probe.Memory.ReadUInt32Async(Sram, Ct));
        await probe.Core.HaltAsync(Ct);
        var halted = await probe.Core.GetStateAsync(Ct);
        var pc = await probe.Core.ReadRegisterAsync(CoreRegister.Pc, Ct);

        Assert.False(running.Halted);
        Assert.Equal(TargetErrorKind.InvalidRequest, readWhileRunning.Kind);
        Assert.True(halted.Halted);
        Assert.StartsWith("T", probe.Client.LastStopReply, StringComparison.Ordinal);
        Assert.InRange(pc, 0x0800_0100u, 0x0800_0102u);
    }

    [Fact]
    public async Task Detach_ThenReopen_TargetRanOnAndHaltsAgain()
    {
        await using var qemu = await QemuMachine.StartAsync(gdbHalted: true);
        var selector = ProbeSelector.Parse(qemu.GdbSelector);
        await using (var first = (GdbProbe)await new GdbProbeProvider().OpenAsync(selector, Ct))
        {
            await first.ConnectAsync(Ct);
            await WriteLoopFirmwareAsync(first);
            await first.Core.ResetAndHaltAsync(Ct);
        }

        await using var second = (GdbProbe)await new GdbProbeProvider().OpenAsync(selector, Ct);
        await second.ConnectAsync(Ct);
        var pc = await second.Core.ReadRegisterAsync(CoreRegister.Pc, Ct);
        var vectors = new byte[8];
        await second.Memory.ReadAsync(Flash, vectors, AccessWidth.Word, Ct);

        Assert.InRange(pc, 0x0800_0100u, 0x0800_0102u);
        Assert.Equal(0x2000_2000u, BinaryPrimitives.ReadUInt32LittleEndian(vectors));
    }

    [Fact]
    public async Task Open_NothingListening_ProbeNotFoundWithAddress()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var error = await Assert.ThrowsAsync<ProbeOpenException>(async () => await new GdbProbeProvider().OpenAsync(ProbeSelector.Parse($"gdb://127.0.0.1:{port}"), Ct));

        Assert.Equal(FailureCode.ProbeNotFound, error.Code);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    // Vector table (SP 0x20002000, reset 0x08000101) and "b ." (0xE7FE) at 0x08000100.
    private static async Task WriteLoopFirmwareAsync(GdbProbe probe)
    {
        var vectors = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(vectors, 0x2000_2000);
        BinaryPrimitives.WriteUInt32LittleEndian(vectors.AsSpan(4), 0x0800_0101);
        await probe.Memory.WriteAsync(Flash, vectors, AccessWidth.Word, Ct);
        await probe.Memory.WriteUInt16Async(Flash + 0x100, 0xE7FE, Ct);
    }
}

using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.StLink;
using ProdFlash.Emulator.Timing;

namespace ProdFlash.Emulator.Tests.StLink;

/// <summary>
/// The AHB-AP stalls (WAIT) while the F1 flash is busy, so a 16-bit block write programs at the flash's pace:
/// DS5319 typical 52.5 µs per half-word, not a USB round trip per half-word.
/// </summary>
public sealed class FlashStallTests
{
    private static readonly uint FlashRegisters = Stm32F1Specs.Stm32F103C8.FlashRegistersBase;

    [Fact]
    public void WriteMem16_BlockIntoBusyF1Flash_StallsTheApForTheFlashProgrammingTime()
    {
        // Arrange: V2J37 at 4 MHz SWD (divisor 0), flash unlocked, CR.PG set.
        var clock = new ModeledClock(new FakeTimeProvider());
        var chip = new Stm32F1Chip(Stm32F1Specs.Stm32F103C8, clock);
        var probe = new EmulatedStLink(StLinkPersonality.Create("v2j37"), chip, clock);
        Run(probe, [0xF2, 0x30, 0xA3], 2);
        Run(probe, [0xF2, 0x43, 0x00, 0x00], 2);
        WriteWord(probe, FlashRegisters + Stm32F1FlashController.KeyrOffset, Stm32F1Specs.Stm32F103C8.FlashKey1);
        WriteWord(probe, FlashRegisters + Stm32F1FlashController.KeyrOffset, Stm32F1Specs.Stm32F103C8.FlashKey2);
        WriteWord(probe, FlashRegisters + Stm32F1FlashController.CrOffset, Stm32F1FlashController.CrPg);
        var image = Enumerable.Range(0, 1024).Select(i => (byte)(i * 5 + 1)).ToArray();
        var halfWords = image.Length / 2;
        var transfer = probe.Dap.TransferTime;
        var before = clock.Now;

        // Act
        probe.Execute(ProbeHarness.Cdb(ProbeHarness.MemoryHeader(0x48, 0x0800_0000, image.Length)), image, []);
        var elapsed = clock.Now - before;
        var status = Run(probe, [0xF2, 0x3E], 12);

        // Assert: every half-word after the first waited out the previous one's 52.5 µs, with WAIT retries at SWD pace.
        var flashTime = Stm32F1Specs.Stm32F103C8.TypicalTimings.ProgramHalfWord * (halfWords - 1);
        Assert.Equal(0x80, status[0]);
        Assert.Equal(TimeSpan.FromTicks(115), transfer); // 46 bits at 4 MHz = 11.5 µs
        Assert.InRange(elapsed, flashTime, flashTime + ((transfer * 2) * halfWords) + TimeSpan.FromMilliseconds(3));
        Assert.True(probe.Dap.WaitRetries >= 4 * (halfWords - 1), $"only {probe.Dap.WaitRetries} WAIT retries");
        Assert.Equal(image, chip.MainFlash[..image.Length].ToArray());
        Assert.Equal(image.Length, chip.Counters.BytesProgrammed);
    }

    [Fact]
    public void ReadMem32_FlashDuringPageErase_RunsOutOfWaitRetriesAsSwdApWait()
    {
        // A 20 ms page erase outlasts 1000 WAIT retries at 4 MHz (11.5 ms): the read ends in SWD_AP_WAIT.
        var clock = new ModeledClock(new FakeTimeProvider());
        var chip = new Stm32F1Chip(Stm32F1Specs.Stm32F103C8, clock);
        var probe = new EmulatedStLink(StLinkPersonality.Create("v2j37"), chip, clock);
        Run(probe, [0xF2, 0x30, 0xA3], 2);
        Run(probe, [0xF2, 0x43, 0x00, 0x00], 2);
        WriteWord(probe, FlashRegisters + Stm32F1FlashController.KeyrOffset, Stm32F1Specs.Stm32F103C8.FlashKey1);
        WriteWord(probe, FlashRegisters + Stm32F1FlashController.KeyrOffset, Stm32F1Specs.Stm32F103C8.FlashKey2);
        WriteWord(probe, FlashRegisters + Stm32F1FlashController.CrOffset, Stm32F1FlashController.CrPer);
        WriteWord(probe, FlashRegisters + Stm32F1FlashController.ArOffset, 0x0800_0400);
        WriteWord(probe, FlashRegisters + Stm32F1FlashController.CrOffset, Stm32F1FlashController.CrPer | Stm32F1FlashController.CrStrt);

        probe.Execute(ProbeHarness.Cdb(ProbeHarness.MemoryHeader(0x07, 0x0800_0400, 4)), [], new byte[4]);
        var status = Run(probe, [0xF2, 0x3E], 12);

        Assert.Equal(0x10, status[0]);
        Assert.Equal(0x0800_0400u, BinaryPrimitives.ReadUInt32LittleEndian(status.AsSpan(4)));
    }

    private static byte[] Run(EmulatedStLink probe, byte[] command, int replyLength)
    {
        var reply = new byte[replyLength];
        var count = probe.Execute(ProbeHarness.Cdb(command), [], reply);
        Assert.Equal(replyLength, count);
        return reply;
    }

    private static void WriteWord(EmulatedStLink probe, uint address, uint value)
    {
        var data = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(data, value);
        probe.Execute(ProbeHarness.Cdb(ProbeHarness.MemoryHeader(0x08, address, 4)), data, []);
        Assert.Equal(0x80, Run(probe, [0xF2, 0x3E], 12)[0]);
    }
}

public sealed class FaultPhaseTests
{
    [Fact]
    public void UnplugAtErase_F103FromSelector_VanishesWhenThePageEraseStarts()
    {
        var probe = EmulatedProbes.Create(EmulatorSelector.Parse("emulator://stm32f103c8?faults=unplug:erase:0"), 0, new FakeTimeProvider());
        var spec = Stm32F1Specs.Stm32F103C8;
        Send(probe, [0xF2, 0x30, 0xA3], []);
        Send(probe, ProbeHarness.MemoryHeader(0x08, spec.FlashRegistersBase + Stm32F1FlashController.KeyrOffset, 4), LittleEndianBytes(spec.FlashKey1));
        Send(probe, ProbeHarness.MemoryHeader(0x08, spec.FlashRegistersBase + Stm32F1FlashController.KeyrOffset, 4), LittleEndianBytes(spec.FlashKey2));
        Send(probe, ProbeHarness.MemoryHeader(0x08, spec.FlashRegistersBase + Stm32F1FlashController.CrOffset, 4), LittleEndianBytes(Stm32F1FlashController.CrPer));
        Send(probe, ProbeHarness.MemoryHeader(0x08, spec.FlashRegistersBase + Stm32F1FlashController.ArOffset, 4), LittleEndianBytes(0x0800_0000));

        var atErase = Assert.Throws<ProdFlash.Probes.StLink.StLinkTransportException>(
            () => Send(probe, ProbeHarness.MemoryHeader(0x08, spec.FlashRegistersBase + Stm32F1FlashController.CrOffset, 4), LittleEndianBytes(Stm32F1FlashController.CrPer | Stm32F1FlashController.CrStrt)));
        var afterwards = Assert.Throws<ProdFlash.Probes.StLink.StLinkTransportException>(() => Send(probe, [0xF1], []));

        Assert.True(atErase.IsDisconnected);
        Assert.True(afterwards.IsDisconnected);
    }

    [Fact]
    public void SwitchStLinkFreq_V3_AnswersConfigurationChanged()
    {
        var harness = new ProbeHarness("v3j9");

        var reply = harness.In(8, 0xF2, 0x63, 0x02);

        Assert.Equal(new byte[] { 0x40, 0, 0, 0, 0, 0, 0, 0 }, reply);
    }

    private static void Send(EmulatedStLink probe, byte[] command, byte[] dataOut) =>
        probe.Execute(ProbeHarness.Cdb(command), dataOut, new byte[dataOut.Length == 0 ? 8 : 0]);

    private static byte[] LittleEndianBytes(uint value)
    {
        var data = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(data, value);
        return data;
    }
}

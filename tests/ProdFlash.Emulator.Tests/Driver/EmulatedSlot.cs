using ProdFlash.Core.Probes;
using ProdFlash.Core.Targets;
using ProdFlash.Emulator.Selection;
using ProdFlash.Emulator.StLink;
using ProdFlash.Probes.StLink;

namespace ProdFlash.Emulator.Tests.Driver;

/// <summary>One emulated slot opened the way the engine opens it: selector → provider → StLinkTarget, on virtual time.</summary>
internal sealed class EmulatedSlot : IAsyncDisposable
{
    // RM0008 §3.3.3 (STM32F1 flash): register block, keys and SR/CR bits used by the flash tests.
    public const uint FlashKeyr = 0x4002_2004;
    public const uint FlashSr = 0x4002_200C;
    public const uint FlashCr = 0x4002_2010;
    public const uint FlashAr = 0x4002_2014;
    public const uint FlashKey1 = 0x4567_0123;
    public const uint FlashKey2 = 0xCDEF_89AB;
    public const uint SrBsy = 1u << 0;
    public const uint SrPgErr = 1u << 2;
    public const uint SrWrprtErr = 1u << 4;
    public const uint SrEop = 1u << 5;
    public const uint CrPg = 1u << 0;
    public const uint CrPer = 1u << 1;
    public const uint CrStrt = 1u << 6;
    public const uint FlashBase = 0x0800_0000;
    public const uint SramBase = 0x2000_0000;

    private EmulatedSlot(StLinkTarget target, EmulatedStLink hardware)
    {
        Target = target;
        Hardware = hardware;
    }

    public StLinkTarget Target { get; }

    public StLinkProbe Probe => Target.Probe;

    public EmulatedStLink Hardware { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens <c>emulator://stm32f103c8?probe=PERSONALITY[&amp;faults=FAULTS]</c>.</summary>
    public static async Task<EmulatedSlot> OpenAsync(string personality = "v2j37", string? faults = null, StLinkProbeOptions? options = null)
    {
        var provider = new EmulatorProbeProvider(new EmulatorProbeProviderOptions { ProbeOptions = options ?? new StLinkProbeOptions() });
        var selector = ProbeSelector.Parse($"emulator://stm32f103c8?probe={personality}" + (faults is null ? string.Empty : $"&faults={faults}"));
        var target = (StLinkTarget)await provider.OpenAsync(selector, Ct);
        return new EmulatedSlot(target, provider.Slot(selector));
    }

    /// <summary>Opens and connects (the probe's default SWD clock).</summary>
    public static async Task<EmulatedSlot> ConnectedAsync(string personality = "v2j37", string? faults = null)
    {
        var slot = await OpenAsync(personality, faults);
        await slot.Target.ConnectAsync(Ct);
        return slot;
    }

    /// <summary>The memory commands (F2 07/08/0C/0D/47/48) recorded since <see cref="EmulatedStLink.StartRecording"/>: op, address, length.</summary>
    public IReadOnlyList<(byte Op, uint Address, int Length)> MemoryCommands() =>
        [.. Hardware.Recorded()
            .Where(t => t.Command[0] == 0xF2 && t.Command[1] is 0x07 or 0x08 or 0x0C or 0x0D or 0x47 or 0x48)
            .Select(t => (t.Command[1], System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(t.Command.AsSpan(2)), (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(t.Command.AsSpan(6))))];

    /// <summary>Unlocks the F1 flash controller (KEYR sequence, RM0008 §3.3.3).</summary>
    public async Task UnlockFlashAsync()
    {
        await Target.Memory.WriteUInt32Async(FlashKeyr, FlashKey1, Ct);
        await Target.Memory.WriteUInt32Async(FlashKeyr, FlashKey2, Ct);
    }

    /// <summary>Programs one half-word with CR.PG (RM0008 §3.3.3), waits for BSY to clear, returns SR.</summary>
    public async Task<uint> ProgramHalfWordAsync(uint address, ushort value)
    {
        await Target.Memory.WriteUInt32Async(FlashCr, CrPg, Ct);
        await Target.Memory.WriteUInt16Async(address, value, Ct);
        var sr = await WaitNotBusyAsync();
        await Target.Memory.WriteUInt32Async(FlashCr, 0, Ct);
        return sr;
    }

    /// <summary>Erases the page at <paramref name="address"/> with CR.PER/AR/STRT, waits, returns SR.</summary>
    public async Task<uint> ErasePageAsync(uint address)
    {
        await Target.Memory.WriteUInt32Async(FlashCr, CrPer, Ct);
        await Target.Memory.WriteUInt32Async(FlashAr, address, Ct);
        await Target.Memory.WriteUInt32Async(FlashCr, CrPer | CrStrt, Ct);
        var sr = await WaitNotBusyAsync();
        await Target.Memory.WriteUInt32Async(FlashCr, 0, Ct);
        return sr;
    }

    public ValueTask DisposeAsync() => Target.DisposeAsync();

    private async Task<uint> WaitNotBusyAsync()
    {
        for (var poll = 0; poll < 100_000; poll++)
        {
            var sr = await Target.Memory.ReadUInt32Async(FlashSr, Ct);
            if ((sr & SrBsy) == 0)
            {
                return sr;
            }
        }

        throw new TimeoutException("FLASH_SR.BSY did not clear within 100000 polls.");
    }
}

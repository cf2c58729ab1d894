using ProdFlash.Core.Probes;
using ProdFlash.Core.Targets;
using ProdFlash.Emulator.Selection;
using ProdFlash.Emulator.StLink;
using ProdFlash.Probes.StLink;

namespace ProdFlash.Emulator.Tests.Chips.Execution;

/// <summary>
/// One emulated chip reached through the real host stack (selector → EmulatorProbeProvider → StLinkProbe →
/// StLinkTarget, its memory and its CortexMCore), with helpers to load a program into SRAM, start it and wait for the
/// halt, all on modeled time.
/// </summary>
internal sealed class CoreSlot : IAsyncDisposable
{
    /// <summary>Where the programs are loaded (every family's SRAM starts here).</summary>
    public const uint SramBase = 0x2000_0000;

    private CoreSlot(StLinkTarget target, EmulatedStLink hardware)
    {
        Target = target;
        Hardware = hardware;
    }

    public StLinkTarget Target { get; }

    public EmulatedStLink Hardware { get; }

    public ITargetMemory Memory => Target.Memory;

    public ICoreControl Core => Target.Core;

    /// <summary>The emulator's modeled time.</summary>
    public TimeSpan Now => Hardware.Clock.Now;

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens and connects <c>emulator://CHIP</c> (at <paramref name="swdKiloHertz"/> when given), then halts the core.</summary>
    public static async Task<CoreSlot> OpenAsync(string chip, int? swdKiloHertz = null, string probe = "v2j37", string? faults = null)
    {
        var provider = new EmulatorProbeProvider(new EmulatorProbeProviderOptions { ProbeOptions = new StLinkProbeOptions() });
        var selector = ProbeSelector.Parse($"emulator://{chip}?probe={probe}" + (faults is null ? string.Empty : $"&faults={faults}"));
        var target = (StLinkTarget)await provider.OpenAsync(selector, Ct);
        await target.ConnectAsync(Ct);
        if (swdKiloHertz is { } khz)
        {
            await target.SetFrequencyAsync(khz, Ct);
        }

        var slot = new CoreSlot(target, provider.Slot(selector));
        await slot.Core.HaltAsync(Ct);
        return slot;
    }

    /// <summary>Writes <paramref name="bytes"/> (a multiple of 4 long) at <paramref name="address"/>.</summary>
    public async Task WriteAsync(uint address, byte[] bytes) => await Memory.WriteAsync(address, bytes, AccessWidth.Word, Ct);

    public async Task<byte[]> ReadAsync(uint address, int length)
    {
        var buffer = new byte[length];
        await Memory.ReadAsync(address, buffer, AccessWidth.Word, Ct);
        return buffer;
    }

    public async Task<uint> ReadWordAsync(uint address) => await Memory.ReadUInt32Async(address, Ct);

    /// <summary>Loads <paramref name="program"/> at the start of SRAM and sets PC, SP, xPSR (Thumb) and the given registers; the core stays halted.</summary>
    public async Task LoadAsync(byte[] program, uint stackTop, params (CoreRegister Register, uint Value)[] registers)
    {
        await WriteAsync(SramBase, program);
        foreach (var (register, value) in registers)
        {
            await Core.WriteRegisterAsync(register, value, Ct);
        }

        await Core.WriteRegisterAsync(CoreRegister.Msp, stackTop, Ct);
        await Core.WriteRegisterAsync(CoreRegister.Xpsr, 0x0100_0000, Ct);
        await Core.WriteRegisterAsync(CoreRegister.Pc, SramBase, Ct);
    }

    /// <summary>Resumes the core and polls DHCSR until it halts or locks up (bounded by polls, each one USB transaction of modeled time).</summary>
    public async Task<CoreState> RunToHaltAsync(int maxPolls = 10_000)
    {
        await Core.RunAsync(Ct);
        return await WaitForStopAsync(maxPolls);
    }

    public async Task<CoreState> WaitForStopAsync(int maxPolls = 10_000)
    {
        for (var i = 0; i < maxPolls; i++)
        {
            var state = await Core.GetStateAsync(Ct);
            if (state.Halted || state.LockedUp)
            {
                return state;
            }
        }

        Assert.Fail($"the core did not halt within {maxPolls} polls (modeled time {Now.TotalMilliseconds:0.###} ms)");
        return default;
    }

    public async Task<uint> RegisterAsync(CoreRegister register) => await Core.ReadRegisterAsync(register, Ct);

    public ValueTask DisposeAsync() => Target.DisposeAsync();
}

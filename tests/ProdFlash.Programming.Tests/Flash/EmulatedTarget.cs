using Microsoft.Extensions.Time.Testing;
using ProdFlash.Core.Devices;
using ProdFlash.Emulator;
using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Faults;
using ProdFlash.Emulator.StLink;
using ProdFlash.Emulator.Target;
using ProdFlash.Emulator.Timing;
using ProdFlash.Probes.StLink;
using ProdFlash.Programming.Flash;

namespace ProdFlash.Programming.Tests.Flash;

/// <summary>
/// One emulated board in-process: chip model, emulated ST-LINK, the real StLinkProbe and StLinkTarget over the
/// in-process wire, connected with the core halted, plus the flash driver for the catalog part.
/// </summary>
internal sealed class EmulatedTarget : IAsyncDisposable
{
    private EmulatedTarget(string chip, IEmulatedTarget model, ModeledClock clock, StLinkTarget target, DevicePart part)
    {
        ChipName = chip;
        Model = model;
        Clock = clock;
        Target = target;
        Part = part;
    }

    public string ChipName { get; }

    public IEmulatedTarget Model { get; }

    public ModeledClock Clock { get; }

    public StLinkTarget Target { get; }

    public DevicePart Part { get; }

    public static async Task<EmulatedTarget> StartAsync(string chip, string? faults = null, string personality = "v2j37", ChipFaults? chipFaults = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        var faultSet = FaultSet.ParseList(faults);
        var clock = new ModeledClock(time);
        var model = EmulatedChips.Create(chip, chipFaults ?? faultSet.Chip, clock, 0);
        IEmulatedTarget wired = faultSet.HasBoardFault ? new BoardFaultTarget(model, faultSet) : model;
        var emulated = new EmulatedStLink(StLinkPersonality.Create(personality), wired, clock, faultSet, model as IFlashActivity);
        var probe = new StLinkProbe(new EmulatedStLinkWire(emulated));
        await probe.OpenAsync(ct);
        var target = new StLinkTarget(probe, time);
        await target.ConnectAsync(ct);
        await target.Core.HaltAsync(ct);
        var part = DeviceCatalog.Default.FindPart(chip) ?? throw new InvalidOperationException($"catalog has no {chip}");
        return new EmulatedTarget(chip, model, clock, target, part);
    }

    public IFlashDriver Driver(ProgramStrategy strategy = ProgramStrategy.Fast, double? volts = null, RamLoaderMode loader = RamLoaderMode.Auto) =>
        FlashDrivers.Create(Part, Target.Memory, new FakeTimeProvider(), new FlashDriverOptions { Strategy = strategy, ProgrammingVoltage = volts, Core = Target.Core, Loader = loader });

    public long Transactions => Target.Probe.Counters.Transactions;

    public async Task<byte[]> ReadAsync(uint address, int length)
    {
        var buffer = new byte[length];
        await Target.Memory.ReadAsync(address, buffer, Core.Targets.AccessWidth.Word, TestContext.Current.CancellationToken);
        return buffer;
    }

    public ValueTask DisposeAsync() => Target.DisposeAsync();
}

using Microsoft.Extensions.Time.Testing;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Images;
using ProdFlash.Core.Recipes;
using ProdFlash.Emulator;
using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Faults;
using ProdFlash.Emulator.StLink;
using ProdFlash.Emulator.Timing;
using ProdFlash.Probes.StLink;
using ProdFlash.Programming.Engine;

namespace ProdFlash.Programming.Tests.Engine;

/// <summary>
/// One emulated fixture slot for engine tests: the emulator's chip model and ST-LINK personality with the slot's
/// faults, driven through the real StLinkProbe/StLinkTarget on the in-process wire; time is the emulator's modeled clock.
/// </summary>
internal sealed class EngineSlot : IAsyncDisposable
{
    private EngineSlot(EmulatedStLink emulated, StLinkTarget target)
    {
        Emulated = emulated;
        Target = target;
    }

    /// <summary>Chip fault: the first programmed byte reads back with bit 0 inverted.</summary>
    public const string VerifyMismatchFault = "verify-mismatch";

    /// <summary>Chip fault: option-byte programming ends with the family's error flag.</summary>
    public const string ObWriteFailFault = "ob-write-fail";

    public EmulatedStLink Emulated { get; }

    public StLinkTarget Target { get; }

    /// <summary>
    /// Opens slot <paramref name="index"/> (the index decides probe serial and chip UID) with <paramref name="faults"/>:
    /// the emulator's fault names, plus <c>verify-mismatch</c> and <c>ob-write-fail</c>, which set the chip faults
    /// <see cref="ChipFaults.VerifyMismatch"/> and <see cref="ChipFaults.OptionByteWriteFails"/> directly.
    /// </summary>
    public static async Task<EngineSlot> OpenAsync(string chip, string? faults = null, int index = 0, string personality = "v2j37")
    {
        var names = (faults ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        var verifyMismatch = names.Remove(VerifyMismatchFault);
        var obWriteFails = names.Remove(ObWriteFailFault);
        var set = FaultSet.Parse(names);
        set = set with { Chip = set.Chip with { VerifyMismatch = verifyMismatch, OptionByteWriteFails = obWriteFails } };
        var emulated = EmulatedProbes.Create(chip, personality, set, index, new FakeTimeProvider(), realTime: false);
        var probe = new StLinkProbe(new EmulatedStLinkWire(emulated));
        await probe.OpenAsync(TestContext.Current.CancellationToken);
        return new EngineSlot(emulated, new StLinkTarget(probe, new ModeledClockTime(emulated.Clock)));
    }

    public static Recipe DefaultRecipe(string part) =>
        Recipe.CreateDefault(DeviceCatalog.Default.FindPart(part)!, "engine-test", "1.0.0", new RecipeImage(null, null));

    /// <summary>A deterministic pseudo-random image of <paramref name="length"/> bytes at <paramref name="address"/>.</summary>
    public static MemoryImage Image(int length, uint address = 0x0800_0000, int seed = 103)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return new MemoryImage([new ImageSegment(address, bytes)]);
    }

    public Task<AttemptResult> RunAsync(Recipe recipe, MemoryImage image, Core.Serialization.SerialRecord? serial = null, IProgress<AttemptEvent>? progress = null, AttemptOptions? options = null) =>
        new AttemptEngine(options ?? new AttemptOptions()).RunAsync(Target, recipe, image, serial, progress, TestContext.Current.CancellationToken);

    /// <summary>Runs an attempt with this slot's earlier contact with the board as evidence.</summary>
    public Task<AttemptResult> RunAsync(Recipe recipe, MemoryImage image, PriorContact? prior) =>
        new AttemptEngine(new AttemptOptions()).RunAsync(Target, recipe, image, null, prior, null, TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => Target.DisposeAsync();

    /// <summary>The emulator's modeled clock as a <see cref="TimeProvider"/>: timestamps advance with charged modeled time.</summary>
    private sealed class ModeledClockTime(ModeledClock clock) : TimeProvider
    {
        private static readonly DateTimeOffset s_epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => clock.Now.Ticks;

        public override DateTimeOffset GetUtcNow() => s_epoch + clock.Now;
    }
}

/// <summary>Collects events synchronously, in the order reported.</summary>
internal sealed class EventLog : IProgress<AttemptEvent>
{
    public List<AttemptEvent> Events { get; } = [];

    public void Report(AttemptEvent value) => Events.Add(value);
}

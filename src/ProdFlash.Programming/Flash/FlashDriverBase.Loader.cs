using System.Buffers.Binary;
using ProdFlash.Core.Devices;
using ProdFlash.Core.Targets;
using ProdFlash.Programming.Flash.Loaders;

namespace ProdFlash.Programming.Flash;

/// <summary>
/// Programming through a loader on the target's CPU (docs/programming-engine.md "RAM loader"): the host streams the
/// image into a ring buffer in SRAM while the CPU programs the flash from it, so the flash never waits for a USB round trip.
/// </summary>
internal abstract partial class FlashDriverBase
{
    /// <summary>xPSR with only the Thumb bit (EPSR.T) set: an ARMv6-M/ARMv7-M core executes only with T = 1 (ARMv6-M ARM B1.4.2).</summary>
    private const uint XpsrThumb = 0x0100_0000;

    /// <summary>
    /// Below this many bytes the loader's set-up (code, eleven register writes, run, state polls) costs more round trips
    /// than the direct path's one block write and status check (a serial record, a last page).
    /// </summary>
    public const int LoaderMinimumBytes = 1024;

    /// <summary>
    /// The loader's layout for programming <paramref name="length"/> bytes, or null when programming goes directly: no
    /// core control, loader off, the naive strategy, fewer than <see cref="LoaderMinimumBytes"/>, a programming unit the
    /// loader does not store (F0/F1 half-words, F4 x8/x16), or too little SRAM.
    /// </summary>
    protected RamLoaderLayout? PlanLoader(int length)
    {
        if (Options.Core is null || Options.Strategy != ProgramStrategy.Fast || Options.Loader != RamLoaderMode.Auto || length < LoaderMinimumBytes)
        {
            return null;
        }

        return RamLoaderLayout.Plan(Part, RamLoaderStubs.WordRing.Length, UnitBytes, Options.LoaderRingBytes);
    }

    /// <summary>
    /// Programs whole units at <paramref name="start"/> with PG (and the F4 PSIZE) already set in CR: through the RAM
    /// loader when it can run (<see cref="PlanLoader"/>), else directly, as block writes the AHB stalls through (fast)
    /// or one unit per round trip (naive), BSY polled after each write and bounded by <paramref name="programBound"/>.
    /// Every status-register error goes through <paramref name="throwOnError"/>, so both paths fail alike.
    /// </summary>
    /// <param name="start">Flash address of the first unit.</param>
    /// <param name="data">Whole programming units.</param>
    /// <param name="width">The access width of the direct path's writes (the family's unit, or words for a double word).</param>
    /// <param name="errorMask">The family's error flags in SR.</param>
    /// <param name="programBound">How long one direct write may keep BSY set.</param>
    /// <param name="throwOnError">The family's error mapping, called with (SR, unit address, its data); it throws when SR carries an error.</param>
    /// <param name="progress">Receives the bytes programmed.</param>
    /// <param name="cancellationToken">Cancels between probe transactions.</param>
    protected async ValueTask ProgramUnitsAsync(
        uint start,
        ReadOnlyMemory<byte> data,
        AccessWidth width,
        uint errorMask,
        TimeSpan programBound,
        Func<uint, uint, ReadOnlyMemory<byte>, ValueTask> throwOnError,
        IProgress<FlashProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(throwOnError);
        if (PlanLoader(data.Length) is { } layout)
        {
            await ProgramWithLoaderAsync(layout, start, data, errorMask, throwOnError, progress, cancellationToken).ConfigureAwait(false);
            return;
        }

        long done = 0;
        foreach (var (blockAddress, offset, length, _) in Blocks(start, data.Length, Options.ProgramBlockBytes))
        {
            var block = data.Slice(offset, length);
            var step = Options.Strategy == ProgramStrategy.Fast ? length : UnitBytes;
            for (var at = 0; at < length; at += step)
            {
                // A G0/L4 double word goes as two consecutive 32-bit writes; the AHB stalls while the previous unit programs.
                var slice = block.Slice(at, step);
                var sliceAddress = blockAddress + (uint)at;
                await Memory.WriteAsync(sliceAddress, slice, width, cancellationToken).ConfigureAwait(false);
                var sr = await WaitWhileBusyAsync(1, programBound, FlashFailureKind.ProgramFailed, sliceAddress, "programming", cancellationToken).ConfigureAwait(false);
                await throwOnError(sr, sliceAddress, slice).ConfigureAwait(false);
            }

            done += length;
            progress?.Report(new FlashProgress(done, data.Length));
        }
    }

    /// <summary>
    /// Programs <paramref name="data"/> (whole units, erased flash) at <paramref name="start"/> with the word ring loader.
    /// The caller has cleared SR and set CR (PG, PSIZE) and clears CR afterwards.
    /// </summary>
    /// <param name="layout">Where the loader and its ring sit (<see cref="PlanLoader"/>).</param>
    /// <param name="start">Flash address of the first unit.</param>
    /// <param name="data">Whole programming units.</param>
    /// <param name="errorMask">The family's error flags in SR; the loader stops on any of them.</param>
    /// <param name="throwOnError">The family's error mapping, called with (SR, failed unit's address, its data); it throws when SR carries an error.</param>
    /// <param name="progress">Receives the bytes programmed as the loader's read pointer advances.</param>
    /// <param name="cancellationToken">Cancels between probe transactions; the loader is halted first.</param>
    protected async ValueTask ProgramWithLoaderAsync(
        RamLoaderLayout layout,
        uint start,
        ReadOnlyMemory<byte> data,
        uint errorMask,
        Func<uint, uint, ReadOnlyMemory<byte>, ValueTask> throwOnError,
        IProgress<FlashProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(throwOnError);
        var core = Options.Core ?? throw new InvalidOperationException("The RAM loader needs core control.");
        var unit = UnitBytes;
        var total = data.Length;
        var units = total / unit;
        if (units == 0)
        {
            return;
        }

        var maxChunk = Math.Max(unit, Options.ProgramBlockBytes / unit * unit);

        // One write while the core is still halted: the code, both ring pointers and the first chunk of data.
        var first = layout.NextChunk(layout.DataStart, layout.DataStart, total, maxChunk);
        var writePointer = layout.Advance(layout.DataStart, first);
        var setup = new byte[(int)(layout.DataStart - layout.CodeAddress) + first];
        RamLoaderStubs.WordRing.CopyTo(setup);
        BinaryPrimitives.WriteUInt32LittleEndian(setup.AsSpan((int)(layout.WritePointerAddress - layout.CodeAddress)), writePointer);
        BinaryPrimitives.WriteUInt32LittleEndian(setup.AsSpan((int)(layout.ReadPointerAddress - layout.CodeAddress)), layout.DataStart);
        data.Span[..first].CopyTo(setup.AsSpan((int)(layout.DataStart - layout.CodeAddress)));
        await Memory.WriteAsync(layout.CodeAddress, setup, AccessWidth.Word, cancellationToken).ConfigureAwait(false);

        // The loader's parameters (Loaders/word_ring_loader.S), then run it.
        (CoreRegister Register, uint Value)[] registers =
        [
            (CoreRegister.R0, RegisterAddress(FlashRegisterNames.Sr)),
            (CoreRegister.R1, Mask(FlashRegisterNames.Sr, "BSY")),
            (CoreRegister.R2, errorMask),
            (CoreRegister.R3, start),
            (CoreRegister.R4, (uint)units),
            (CoreRegister.R5, layout.RingStart),
            (CoreRegister.R6, layout.RingEnd),
            (CoreRegister.R7, (uint)(unit / 4)),
            (CoreRegister.Sp, layout.StackTop),
            (CoreRegister.Pc, layout.CodeAddress),
            (CoreRegister.Xpsr, XpsrThumb),
        ];
        foreach (var (register, value) in registers)
        {
            await core.WriteRegisterAsync(register, value, cancellationToken).ConfigureAwait(false);
        }

        await core.RunMaskedAsync(cancellationToken).ConfigureAwait(false); // firmware's interrupts must not reach the loader
        try
        {
            var consumed = await StreamAsync(layout, core, data, first, writePointer, progress, cancellationToken).ConfigureAwait(false);
            await FinishLoaderAsync(layout, core, start, data, consumed, throwOnError, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await HaltQuietlyAsync(core).ConfigureAwait(false);
            throw;
        }

        progress?.Report(new FlashProgress(total, total));
    }

    /// <summary>
    /// Streams the rest of <paramref name="data"/> into the ring: each chunk as large as the free space allows, then one
    /// write-pointer update; the read pointer is read only when the ring is full.
    /// </summary>
    /// <returns>Bytes the loader had programmed when the last chunk went in (or when it stopped early).</returns>
    private async ValueTask<long> StreamAsync(
        RamLoaderLayout layout,
        ICoreControl core,
        ReadOnlyMemory<byte> data,
        int first,
        uint writePointer,
        IProgress<FlashProgress>? progress,
        CancellationToken cancellationToken)
    {
        var total = data.Length;
        var maxChunk = Math.Max(UnitBytes, Options.ProgramBlockBytes / UnitBytes * UnitBytes);
        long sent = first;
        long consumed = 0;
        var readPointer = layout.DataStart;
        var waitStart = _time.GetTimestamp();
        long polls = 0;
        while (sent < total)
        {
            var chunk = layout.NextChunk(writePointer, readPointer, total - sent, maxChunk);
            if (chunk > 0)
            {
                await Memory.WriteAsync(writePointer, data.Slice((int)sent, chunk), AccessWidth.Word, cancellationToken).ConfigureAwait(false);
                writePointer = layout.Advance(writePointer, chunk);
                await Memory.WriteUInt32Async(layout.WritePointerAddress, writePointer, cancellationToken).ConfigureAwait(false);
                sent += chunk;
                continue;
            }

            // The ring is full: wait for the loader to free a unit, bounded by the units waiting in the ring.
            var elapsed = _time.GetElapsedTime(waitStart);
            var now = await Memory.ReadUInt32Async(layout.ReadPointerAddress, cancellationToken).ConfigureAwait(false);
            polls++;
            if (now == 0)
            {
                break; // the loader stopped on an error flag; FinishLoaderAsync reports it
            }

            if (!layout.IsValidPointer(now))
            {
                throw await LoaderFailureAsync(layout, core, $"moved its read pointer outside the ring (read {Hex(now)})", cancellationToken).ConfigureAwait(false);
            }

            if (now != readPointer)
            {
                consumed += layout.Consumed(readPointer, now);
                readPointer = now;
                progress?.Report(new FlashProgress(consumed, total));
                CountLoaderWait(polls, elapsed);
                waitStart = _time.GetTimestamp();
                polls = 0;
                continue;
            }

            var bound = Bound(Timings.Program, ProgramFallback, layout.Used(writePointer, readPointer) / UnitBytes);
            if (elapsed > bound || polls >= MaxPolls(bound))
            {
                CountLoaderWait(polls, elapsed);
                throw await LoaderFailureAsync(layout, core, $"programmed nothing for {elapsed.TotalMilliseconds:0.#} ms ({polls} reads of its read pointer), longer than the units in its ring may take", cancellationToken).ConfigureAwait(false);
            }

            var state = await core.GetStateAsync(cancellationToken).ConfigureAwait(false);
            if (state.Halted || state.LockedUp)
            {
                break; // stopped without freeing space: FinishLoaderAsync finds out why
            }
        }

        return consumed;
    }

    /// <summary>
    /// Waits for the loader's BKPT (bounded by the units still to program at the catalog's maximum), then checks how it
    /// ended: done, an error flag (mapped by the family like the direct path), or anything else as ProgramFailed.
    /// </summary>
    private async ValueTask FinishLoaderAsync(
        RamLoaderLayout layout,
        ICoreControl core,
        uint start,
        ReadOnlyMemory<byte> data,
        long consumed,
        Func<uint, uint, ReadOnlyMemory<byte>, ValueTask> throwOnError,
        CancellationToken cancellationToken)
    {
        var unit = UnitBytes;
        var remaining = (data.Length - consumed) / unit;
        var bound = Bound(Timings.Program, ProgramFallback, Math.Max(1, remaining));
        var waitStart = _time.GetTimestamp();
        long polls = 0;
        CoreState state;
        while (true)
        {
            var elapsed = _time.GetElapsedTime(waitStart);
            state = await core.GetStateAsync(cancellationToken).ConfigureAwait(false);
            polls++;
            if (state.Halted || state.LockedUp)
            {
                CountLoaderWait(polls, elapsed);
                break;
            }

            if (elapsed > bound || polls >= MaxPolls(bound))
            {
                CountLoaderWait(polls, elapsed);
                throw await LoaderFailureAsync(layout, core, $"did not finish within {bound.TotalMilliseconds:0.#} ms ({remaining} units left at the datasheet maximum, with margin)", cancellationToken).ConfigureAwait(false);
            }
        }

        if (state.LockedUp)
        {
            throw await LoaderFailureAsync(layout, core, $"locked up (DHCSR={Hex(state.RawDhcsr)}: a fault while it ran)", cancellationToken).ConfigureAwait(false);
        }

        var result = await core.ReadRegisterAsync(CoreRegister.R0, cancellationToken).ConfigureAwait(false);
        var readPointer = await Memory.ReadUInt32Async(layout.ReadPointerAddress, cancellationToken).ConfigureAwait(false);
        if (readPointer == 0)
        {
            // The loader's error exit: R0 = FLASH_SR, R3 = one past the unit that failed.
            var next = await core.ReadRegisterAsync(CoreRegister.R3, cancellationToken).ConfigureAwait(false);
            var failed = next - (uint)unit;
            if (failed >= start && failed - start + (uint)unit <= (uint)data.Length)
            {
                await throwOnError(result, failed, data.Slice((int)(failed - start), unit)).ConfigureAwait(false);
            }

            throw await LoaderFailureAsync(layout, core, $"stopped on an error without an error flag in FLASH_SR (R0={Hex(result)})", cancellationToken).ConfigureAwait(false);
        }

        var left = await core.ReadRegisterAsync(CoreRegister.R12, cancellationToken).ConfigureAwait(false);
        if (result != 0 || left != 0)
        {
            throw await LoaderFailureAsync(layout, core, $"halted before the end (R0={Hex(result)}, {left} units left)", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Halts the loader (if it still runs) and builds the ProgramFailed exception with its registers as evidence:
    /// PC, the next flash address (R3), the units left to store (R12), FLASH_SR and the read pointer.
    /// </summary>
    private async ValueTask<FlashOperationException> LoaderFailureAsync(RamLoaderLayout layout, ICoreControl core, string what, CancellationToken cancellationToken)
    {
        var state = await core.GetStateAsync(cancellationToken).ConfigureAwait(false);
        if (!state.Halted)
        {
            await core.HaltAsync(cancellationToken).ConfigureAwait(false);
        }

        var pc = await core.ReadRegisterAsync(CoreRegister.Pc, cancellationToken).ConfigureAwait(false);
        var next = await core.ReadRegisterAsync(CoreRegister.R3, cancellationToken).ConfigureAwait(false);
        var left = await core.ReadRegisterAsync(CoreRegister.R12, cancellationToken).ConfigureAwait(false);
        var sr = await ReadRegisterAsync(FlashRegisterNames.Sr, cancellationToken).ConfigureAwait(false);
        var readPointer = await Memory.ReadUInt32Async(layout.ReadPointerAddress, cancellationToken).ConfigureAwait(false);
        var codeEnd = layout.CodeAddress + (uint)RamLoaderStubs.WordRing.Length;
        var inCode = pc >= layout.CodeAddress && pc < codeEnd ? "inside the loader" : "outside the loader";
        var registers = new Dictionary<string, uint>
        {
            ["PC"] = pc,
            ["R3"] = next,
            ["R12"] = left,
            ["DHCSR"] = state.RawDhcsr,
            ["RP"] = readPointer,
            [FlashRegisterNames.Sr] = sr,
        };
        return new FlashOperationException(
            FlashFailureKind.LoaderFailed,
            $"The programming loader on {Part.PartNumber}'s CPU {what}: PC={Hex(pc)} ({inCode}, {Hex(layout.CodeAddress)}..{Hex(codeEnd)}), next flash address {Hex(next)}, {left} units left, SR={Hex(sr)}. " +
            "Power-cycle the board and retry; if it repeats, program with the loader off and keep this evidence.",
            next,
            registers);
    }

    /// <summary>Halts the core after a cancellation so the loader does not keep spinning; a failure to do so is left to the next connect.</summary>
    private static async ValueTask HaltQuietlyAsync(ICoreControl core)
    {
        try
        {
            await core.HaltAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (TargetException)
        {
            // Best effort: the attempt is being cancelled anyway; the next attempt connects and halts the core again.
        }
    }

    /// <summary>Adds a wait on the loader (ring full, or the final BKPT) to the busy-wait counters.</summary>
    private void CountLoaderWait(long polls, TimeSpan elapsed)
    {
        _busyPolls += polls;
        _busyWait += elapsed;
    }

    private static long MaxPolls(TimeSpan bound) => Math.Max(2, (long)(bound / MinimumPollInterval));
}

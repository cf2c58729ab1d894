using System.Globalization;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Recipes;
using ProdFlash.Core.Targets;
using ProdFlash.Programming.Identify;
using ProdFlash.Programming.Verify;

namespace ProdFlash.Programming.Engine;

/// <summary>The verify phase: on-chip CRC where the chip and probe allow it, readback otherwise (docs/onchip-verify.md).</summary>
internal sealed partial class AttemptRun
{
    /// <summary>Read-back chunk: progress is reported per chunk.</summary>
    private const int VerifyChunk = 16 * 1024;

    /// <summary>Largest on-chip CRC transfer: the DMA's 16-bit item counter, in bytes of whole words.</summary>
    private const int MaxCrcBlockBytes = OnChipCrcMap.MaxItems * 4;

    private VerifyRecord? _verify;

    private async ValueTask<string?> VerifyAsync(CancellationToken cancellationToken)
    {
        if (_recipe.Checks.Verify == VerifyMode.Off)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _verify = new VerifyRecord(VerifyMethod.None, 0, 0, 0, null);
            return "verify off (recipe)";
        }

        string? fallback = null;
        if (_recipe.Checks.Verify == VerifyMode.Checksum)
        {
            fallback = WhyNoOnChipCrc(out var map);
            if (map is not null)
            {
                try
                {
                    return await VerifyOnChipAsync(map, cancellationToken).ConfigureAwait(false);
                }
                catch (OnChipCrcUnavailableException unavailable)
                {
                    fallback = "on-chip CRC: " + unavailable.Message;
                }
                catch (TargetMemoryFaultException fault)
                {
                    fallback = $"on-chip CRC: bus fault at {EvidenceFormat.Hex32(fault.Address)} ({fault.Message})";
                }
            }
        }

        return await VerifyByReadbackAsync(fallback, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Why the on-chip CRC cannot be used on this chip through this probe, or null (and its map) when it can.</summary>
    private string? WhyNoOnChipCrc(out OnChipCrcMap? map)
    {
        map = null;
        if (_directFlash is not null)
        {
            return "on-chip CRC: " + _directFlash;
        }

        if (_identity is not { } identity || _part is not { } part)
        {
            return "on-chip CRC: the chip's identity was not read through this probe";
        }

        if (identity.Verdict != OriginVerdict.GenuineSt)
        {
            return $"on-chip CRC: not used on a chip that is not genuine ST ({identity.VerdictText}): the reference lists no CRC/DMA facts for it";
        }

        if (!OnChipCrcMap.ByFamily.TryGetValue(part.Family.Key, out map))
        {
            return $"on-chip CRC: no CRC/DMA map for the {part.Family.Name} family";
        }

        return null;
    }

    private async ValueTask<string?> VerifyOnChipAsync(OnChipCrcMap map, CancellationToken cancellationToken)
    {
        var (blocks, edges) = PlanCrcBlocks();
        var total = _runs.Sum(r => (long)r.Length);
        var session = new OnChipCrcSession(_probe.Memory, map, _clock);
        long done = 0;
        try
        {
            await session.StartAsync(cancellationToken).ConfigureAwait(false);
            var expected = Stm32Crc.InitialValue;
            foreach (var block in blocks)
            {
                // CRC_DR runs on from block to block (one reset at the start), so the host's CRC does too.
                expected = Stm32Crc.Compute(ImageBytes(block.Address, block.Length), expected);
                var actual = await session.ChecksumAsync(block.Address, block.Length / 4, cancellationToken).ConfigureAwait(false);
                if (actual != expected)
                {
                    await LocateMismatchAsync(session, block, cancellationToken).ConfigureAwait(false);
                }

                done += block.Length;
                ReportProgress(done, total);
            }

            await session.RestoreAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            await RestoreBestEffortAsync(session).ConfigureAwait(false);
            throw;
        }

        long edgeBytes = 0;
        foreach (var (address, length) in edges)
        {
            await CompareReadbackAsync(address, length, null, cancellationToken).ConfigureAwait(false);
            edgeBytes += length;
        }

        ReportProgress(total, total);
        _verify = new VerifyRecord(VerifyMethod.OnChipCrc, total, edgeBytes, blocks.Count, null);
        var restored = session.NotRestored is { } not ? $"; not restored: {not}" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture,
            $"{total} bytes checked by the on-chip CRC ({session.DmaName} feeding the CRC unit, {blocks.Count} transfers){(edgeBytes > 0 ? $", {edgeBytes} unaligned edge bytes read back" : string.Empty)}; CRC and DMA registers and clocks restored{restored}");
    }

    private static async ValueTask RestoreBestEffortAsync(OnChipCrcSession session)
    {
        try
        {
            await session.RestoreAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (TargetException)
        {
            // The probe or the chip is gone; the original failure is what the attempt reports.
        }
    }

    // Bisects the block's erase-unit pieces with fresh CRCs until one unit is left, then reads back only that unit
    // for the evidence (address, expected, actual).
    private async ValueTask LocateMismatchAsync(OnChipCrcSession session, CrcBlock block, CancellationToken cancellationToken)
    {
        var lo = 0;
        var hi = block.Pieces.Count;
        while (hi - lo > 1)
        {
            var mid = (lo + hi) / 2;
            var start = block.Pieces[lo].Address;
            var length = block.Pieces.Skip(lo).Take(mid - lo).Sum(p => p.Length);
            await session.ResetCrcAsync(cancellationToken).ConfigureAwait(false);
            var actual = await session.ChecksumAsync(start, length / 4, cancellationToken).ConfigureAwait(false);
            if (actual != Stm32Crc.Compute(ImageBytes(start, length)))
            {
                hi = mid;
            }
            else
            {
                lo = mid;
            }
        }

        var piece = block.Pieces[lo];
        await CompareReadbackAsync(piece.Address, piece.Length, piece.Unit, cancellationToken).ConfigureAwait(false);

        // The CRC differed but the unit reads back equal: the flash read differently for the DMA than for the debugger.
        throw new AttemptFailedException(new Diagnosis(FailureCode.VerifyMismatch, AttemptPhase.Verify,
            $"The chip's CRC of {UnitName(piece.Unit)} at {EvidenceFormat.Hex32(piece.Address)} differs from the image's, but a readback of it matches. The flash reads unreliably; press Start again, and scrap the chip if it fails again.",
            [new Evidence("Unit", $"{UnitName(piece.Unit)} at {EvidenceFormat.Hex32(piece.Address)}, {piece.Length} bytes"), new Evidence("Readback of the unit", "equal to the image")]));
    }

    private string UnitName(EraseUnit? unit) => unit is { } u
        ? string.Create(CultureInfo.InvariantCulture, $"{(_part!.Family.Key == "f4" ? "sector" : "page")} {u.Number}")
        : "the range";

    private byte[] ImageBytes(uint address, int length)
    {
        var bytes = new byte[length];
        _image.CopyTo(address, bytes);
        return bytes;
    }

    // Reads [address, address + length) back and compares it with the image; throws VerifyMismatch on a difference.
    private async ValueTask CompareReadbackAsync(uint address, int length, EraseUnit? unit, CancellationToken cancellationToken)
    {
        var actual = new byte[length];
        await _probe.Memory.ReadAsync(address, actual, AccessWidth.Word, cancellationToken).ConfigureAwait(false);
        var expected = ImageBytes(address, length);
        long differing = 0;
        (uint Address, byte Expected, byte Actual)? first = null;
        for (var i = 0; i < length; i++)
        {
            if (actual[i] != expected[i])
            {
                differing++;
                first ??= (address + (uint)i, expected[i], actual[i]);
            }
        }

        if (first is not { } f)
        {
            return;
        }

        var diagnosis = Diagnoses.VerifyMismatch(f.Address, f.Expected, f.Actual, differing);
        if (unit is not null)
        {
            diagnosis = new Diagnosis(diagnosis.Code, diagnosis.Phase, diagnosis.Summary,
                [.. diagnosis.Evidence, new Evidence("Found by", $"on-chip CRC per erase unit, then a readback of {UnitName(unit)} at {EvidenceFormat.Hex32(address)} ({length} bytes)")]);
        }

        throw new AttemptFailedException(diagnosis);
    }

    private async ValueTask<string?> VerifyByReadbackAsync(string? fallback, CancellationToken cancellationToken)
    {
        var total = _runs.Sum(r => (long)r.Length);
        long done = 0;
        long differing = 0;
        (uint Address, byte Expected, byte Actual)? first = null;
        foreach (var (address, length) in _runs)
        {
            for (var offset = 0; offset < length; offset += VerifyChunk)
            {
                var count = Math.Min(VerifyChunk, length - offset);
                var at = address + (uint)offset;
                var actual = new byte[count];
                await _probe.Memory.ReadAsync(at, actual, AccessWidth.Word, cancellationToken).ConfigureAwait(false);
                var expected = ImageBytes(at, count);
                for (var i = 0; i < count; i++)
                {
                    if (actual[i] != expected[i])
                    {
                        differing++;
                        first ??= (at + (uint)i, expected[i], actual[i]);
                    }
                }

                done += count;
                ReportProgress(done, total);
            }
        }

        _verify = new VerifyRecord(VerifyMethod.Readback, total, total, 0, fallback);
        if (first is { } f)
        {
            throw new AttemptFailedException(Diagnoses.VerifyMismatch(f.Address, f.Expected, f.Actual, differing));
        }

        return string.Create(CultureInfo.InvariantCulture, $"{total} bytes read back and equal{(fallback is null ? string.Empty : $" ({fallback}; read back instead)")}");
    }

    // The programmed runs as on-chip CRC blocks of whole erase-unit pieces (each at most one DMA transfer long), and the
    // unaligned head and tail bytes of each run, which the word-wide CRC cannot cover and are read back.
    private (List<CrcBlock> Blocks, List<(uint Address, int Length)> Edges) PlanCrcBlocks()
    {
        var blocks = new List<CrcBlock>();
        var edges = new List<(uint, int)>();
        foreach (var (address, length) in _runs)
        {
            var end = (ulong)address + (ulong)length;
            var a0 = (address + 3UL) & ~3UL;
            var a1 = end & ~3UL;
            if (a1 <= a0)
            {
                edges.Add((address, length));
                continue;
            }

            if (a0 > address)
            {
                edges.Add((address, (int)(a0 - address)));
            }

            if (end > a1)
            {
                edges.Add(((uint)a1, (int)(end - a1)));
            }

            var pieces = new List<CrcPiece>();
            var cursor = a0;
            while (cursor < a1)
            {
                var unit = _part!.Layout.UnitAt((uint)cursor);
                var pieceEnd = unit is { } u ? Math.Min(a1, u.End) : a1;
                // A piece never exceeds one transfer (an erase unit is at most 128 KiB; a range outside the layout is cut).
                pieceEnd = Math.Min(pieceEnd, cursor + MaxCrcBlockBytes);
                pieces.Add(new CrcPiece((uint)cursor, (int)(pieceEnd - cursor), unit));
                cursor = pieceEnd;
            }

            var current = new List<CrcPiece>();
            var bytes = 0;
            foreach (var piece in pieces)
            {
                if (bytes + piece.Length > MaxCrcBlockBytes)
                {
                    blocks.Add(new CrcBlock(current[0].Address, bytes, current));
                    current = [];
                    bytes = 0;
                }

                current.Add(piece);
                bytes += piece.Length;
            }

            blocks.Add(new CrcBlock(current[0].Address, bytes, current));
        }

        return (blocks, edges);
    }

    private sealed record CrcPiece(uint Address, int Length, EraseUnit? Unit);

    private sealed record CrcBlock(uint Address, int Length, IReadOnlyList<CrcPiece> Pieces);
}

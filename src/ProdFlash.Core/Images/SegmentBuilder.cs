using System.Runtime.CompilerServices;

namespace ProdFlash.Core.Images;

/// <summary>
/// Collects data records into address-ordered runs as a reader meets them, rejecting a record that puts different
/// bytes where an earlier one already put data (identical duplicates are accepted).
/// </summary>
/// <remarks>
/// Records that continue the previous one (the usual case) are appended in O(1) without a search. Run buffers are
/// allocated uninitialized and only written pages become resident, so memory follows the image, not the text.
/// Not thread-safe; one builder per read.
/// </remarks>
internal sealed class SegmentBuilder
{
    private const ulong AddressSpaceEnd = 1UL << 32;
    private const int MinimumCapacity = 4096;

    private readonly SortedSet<Run> _runs = new(RunByStart.Instance);
    private long _firstRunCapacity;
    private Run? _current;
    private ulong _currentLimit;

    /// <summary>Creates a builder; <paramref name="capacityHint"/> bounds the image size when known (e.g. half a HEX file's length).</summary>
    public SegmentBuilder(long capacityHint = 0)
    {
        _firstRunCapacity = Math.Clamp(capacityHint, 0, Array.MaxLength);
    }

    /// <summary>Total data bytes collected.</summary>
    public long TotalBytes { get; private set; }

    /// <summary>
    /// Places <paramref name="data"/> at <paramref name="address"/>. Returns <see cref="AddResult.Conflict"/>, with the
    /// first conflicting address, when some of those addresses already hold different bytes.
    /// </summary>
    /// <remarks>The caller guarantees <paramref name="address"/> + length ≤ 2^32.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public AddResult TryAdd(ulong address, ReadOnlySpan<byte> data, out ulong conflictAddress)
    {
        conflictAddress = 0;
        if (data.IsEmpty)
        {
            return AddResult.Added;
        }

        var current = _current;
        if (current is not null && address == current.End && address + (ulong)data.Length <= _currentLimit)
        {
            return Append(current, data) ? AddResult.Added : AddResult.TooLarge;
        }

        return AddSlow(address, data, out conflictAddress);
    }

    /// <summary>Builds the image from the collected runs; runs that touch are joined with one copy.</summary>
    public MemoryImage Build(uint? entryPoint)
    {
        var segments = new List<ImageSegment>();
        var group = new List<Run>();
        foreach (var run in _runs)
        {
            if (group.Count > 0 && group[^1].End != run.Start)
            {
                segments.Add(Join(group));
                group.Clear();
            }

            group.Add(run);
        }

        if (group.Count > 0)
        {
            segments.Add(Join(group));
        }

        return new MemoryImage(segments, entryPoint);
    }

    private static ImageSegment Join(List<Run> group)
    {
        var first = group[0];
        if (group.Count == 1)
        {
            var buffer = first.Buffer;
            if (first.Length < buffer.Length / 2)
            {
                buffer = buffer.AsSpan(0, first.Length).ToArray();
            }

            return new ImageSegment((uint)first.Start, buffer.AsMemory(0, first.Length));
        }

        var joined = GC.AllocateUninitializedArray<byte>(checked((int)(group[^1].End - first.Start)));
        foreach (var run in group)
        {
            run.Buffer.AsSpan(0, run.Length).CopyTo(joined.AsSpan((int)(run.Start - first.Start)));
        }

        return new ImageSegment((uint)first.Start, joined);
    }

    private AddResult AddSlow(ulong address, ReadOnlySpan<byte> data, out ulong conflictAddress)
    {
        conflictAddress = 0;
        var position = 0;
        var cursor = address;
        while (position < data.Length)
        {
            var remaining = data.Length - position;
            var previous = AtOrBefore(cursor);
            if (previous is not null && previous.End > cursor)
            {
                var count = (int)Math.Min((ulong)remaining, previous.End - cursor);
                var existing = previous.Buffer.AsSpan((int)(cursor - previous.Start), count);
                var mismatch = existing.CommonPrefixLength(data.Slice(position, count));
                if (mismatch < count)
                {
                    conflictAddress = cursor + (ulong)mismatch;
                    return AddResult.Conflict;
                }

                cursor += (ulong)count;
                position += count;
                continue;
            }

            var limit = After(cursor)?.Start ?? AddressSpaceEnd;
            var free = (int)Math.Min((ulong)remaining, limit - cursor);
            Run target;
            if (previous is not null && previous.End == cursor)
            {
                target = previous;
            }
            else
            {
                target = new Run(cursor);
                _runs.Add(target);
            }

            if (!Append(target, data.Slice(position, free)))
            {
                return AddResult.TooLarge;
            }

            _current = target;
            _currentLimit = limit;
            cursor += (ulong)free;
            position += free;
        }

        return AddResult.Added;
    }

    /// <summary>The run with the greatest start at or below <paramref name="address"/>, or null.</summary>
    private Run? AtOrBefore(ulong address) =>
        _runs.Count == 0 || _runs.Min!.Start > address ? null : _runs.GetViewBetween(_runs.Min, new Run(address)).Max;

    /// <summary>The run with the least start above <paramref name="address"/>, or null.</summary>
    private Run? After(ulong address) =>
        _runs.Count == 0 || _runs.Max!.Start <= address ? null : _runs.GetViewBetween(new Run(address + 1), _runs.Max).Min;

    private bool Append(Run run, ReadOnlySpan<byte> data)
    {
        var needed = (long)run.Length + data.Length;
        if (needed > Array.MaxLength)
        {
            return false;
        }

        if (needed > run.Buffer.Length)
        {
            Grow(run, needed);
        }

        data.CopyTo(run.Buffer.AsSpan(run.Length));
        run.Length += data.Length;
        TotalBytes += data.Length;
        return true;
    }

    private void Grow(Run run, long needed)
    {
        long capacity;
        if (run.Buffer.Length == 0 && _firstRunCapacity > 0)
        {
            capacity = Math.Max(needed, _firstRunCapacity);
            _firstRunCapacity = 0;
        }
        else
        {
            capacity = Math.Clamp(Math.Max((long)run.Buffer.Length * 2, needed), MinimumCapacity, Array.MaxLength);
        }

        var buffer = GC.AllocateUninitializedArray<byte>((int)Math.Max(capacity, needed));
        run.Buffer.AsSpan(0, run.Length).CopyTo(buffer);
        run.Buffer = buffer;
    }

    private sealed class RunByStart : IComparer<Run>
    {
        public static readonly RunByStart Instance = new();

        public int Compare(Run? x, Run? y) => (x?.Start ?? 0).CompareTo(y?.Start ?? 0);
    }

    private sealed class Run(ulong start)
    {
        public ulong Start { get; } = start;

        public byte[] Buffer { get; set; } = [];

        public int Length { get; set; }

        public ulong End => Start + (ulong)Length;
    }
}

/// <summary>Outcome of <see cref="SegmentBuilder.TryAdd"/>.</summary>
internal enum AddResult
{
    /// <summary>The bytes were placed (or were already there, identical).</summary>
    Added,

    /// <summary>An address already holds a different byte.</summary>
    Conflict,

    /// <summary>A contiguous block would exceed the largest array .NET can hold (about 2 GiB).</summary>
    TooLarge,
}

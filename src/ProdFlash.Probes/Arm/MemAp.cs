using System.Globalization;

using ProdFlash.Core.Targets;

namespace ProdFlash.Probes.Arm;

/// <summary>
/// Memory access through a MEM-AP's CSW, TAR and DRW for probes that give raw DAP access (ADIv5.2 C2.2): TAR
/// auto-increments inside its boundary, each DRW access moves one item on its byte lanes.
/// </summary>
/// <remarks>Not thread-safe (one owner per probe). Caches CSW; call <see cref="Invalidate"/> if something else wrote it.</remarks>
public sealed class MemAp : ITargetMemory
{
    private readonly IDapAccess _dap;
    private readonly byte _ap;
    private readonly int _boundary;
    private uint? _csw;

    /// <summary>Creates the view of AP <paramref name="ap"/>.</summary>
    /// <param name="dap">Raw DP/AP register access.</param>
    /// <param name="ap">The AP number (0 is the AHB-AP on STM32).</param>
    /// <param name="autoIncrementBoundary">TAR auto-increment boundary: 1024 (ADIv5 minimum) or 4096 (Cortex-M3/M4).</param>
    public MemAp(IDapAccess dap, byte ap = 0, int autoIncrementBoundary = 1024)
    {
        ArgumentNullException.ThrowIfNull(dap);
        if (autoIncrementBoundary is not (1024 or 4096))
        {
            throw new ArgumentOutOfRangeException(nameof(autoIncrementBoundary), autoIncrementBoundary, "The TAR auto-increment boundary is 1024 or 4096 bytes.");
        }

        _dap = dap;
        _ap = ap;
        _boundary = autoIncrementBoundary;
    }

    /// <summary>Reads the AP's IDR (0xFC).</summary>
    public ValueTask<uint> ReadIdrAsync(CancellationToken cancellationToken) => _dap.ReadApAsync(_ap, MemApRegisters.Idr, cancellationToken);

    /// <summary>Reads the AP's BASE (0xF8): ROM table address in [31:12], format/present in [1:0].</summary>
    public ValueTask<uint> ReadBaseAsync(CancellationToken cancellationToken) => _dap.ReadApAsync(_ap, MemApRegisters.Base, cancellationToken);

    /// <summary>Forgets the cached CSW.</summary>
    public void Invalidate() => _csw = null;

    /// <inheritdoc />
    public async ValueTask ReadAsync(uint address, Memory<byte> destination, AccessWidth width, CancellationToken cancellationToken)
    {
        foreach (var (at, size, count) in Plan(address, destination.Length, width))
        {
            await SetupAsync(at, size, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < count; i++)
            {
                var item = at + (uint)(i * size);
                var word = await _dap.ReadApAsync(_ap, MemApRegisters.Drw, cancellationToken).ConfigureAwait(false);
                var lane = (int)(item & 3) * 8;
                var span = destination.Span.Slice((int)(item - address), size);
                for (var b = 0; b < size; b++)
                {
                    span[b] = (byte)(word >> (lane + (8 * b)));
                }
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(uint address, ReadOnlyMemory<byte> source, AccessWidth width, CancellationToken cancellationToken)
    {
        foreach (var (at, size, count) in Plan(address, source.Length, width))
        {
            await SetupAsync(at, size, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < count; i++)
            {
                var item = at + (uint)(i * size);
                var lane = (int)(item & 3) * 8;
                var span = source.Span.Slice((int)(item - address), size);
                uint word = 0;
                for (var b = 0; b < size; b++)
                {
                    word |= (uint)span[b] << (lane + (8 * b));
                }

                await _dap.WriteApAsync(_ap, MemApRegisters.Drw, word, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask SetupAsync(uint address, int size, CancellationToken cancellationToken)
    {
        var csw = MemApRegisters.CswAhbDefault | MemApRegisters.CswAddrIncSingle | size switch
        {
            1 => MemApRegisters.CswSize8,
            2 => MemApRegisters.CswSize16,
            _ => MemApRegisters.CswSize32,
        };
        if (_csw != csw)
        {
            await _dap.WriteApAsync(_ap, MemApRegisters.Csw, csw, cancellationToken).ConfigureAwait(false);
            _csw = csw;
        }

        await _dap.WriteApAsync(_ap, MemApRegisters.Tar, address, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs of (address, item size, item count): unaligned head/tail as bytes, none crossing the boundary.</summary>
    private List<(uint Address, int Size, int Count)> Plan(uint address, int length, AccessWidth width)
    {
        if ((ulong)address + (ulong)length > 0x1_0000_0000UL)
        {
            throw new TargetException(TargetErrorKind.InvalidRequest, string.Create(CultureInfo.InvariantCulture, $"A transfer of {length} bytes at 0x{address:X8} runs past the 32-bit address space."));
        }

        var runs = new List<(uint, int, int)>();
        var size = (int)width;
        ulong at = address, end = address + (ulong)length;
        void Add(ulong until, int itemSize)
        {
            while (at < until)
            {
                var toBoundary = (ulong)_boundary - (at % (ulong)_boundary);
                var bytes = Math.Min(until - at, toBoundary);
                runs.Add(((uint)at, itemSize, (int)(bytes / (ulong)itemSize)));
                at += bytes;
            }
        }

        if (size > 1)
        {
            Add(Math.Min(end, at + ((ulong)(size - (int)(at % (ulong)size)) % (ulong)size)), 1);
            Add(at + ((end - at) / (ulong)size * (ulong)size), size);
        }

        Add(end, 1);
        return runs;
    }
}

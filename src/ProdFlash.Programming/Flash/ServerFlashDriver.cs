using ProdFlash.Core.Devices;
using ProdFlash.Core.Targets;

namespace ProdFlash.Programming.Flash;

/// <summary>
/// Programs flash through a probe server that erases and writes it itself (a GDB server advertising flash regions and
/// <c>vFlashErase</c>/<c>vFlashWrite</c>/<c>vFlashDone</c>, e.g. OpenOCD's), instead of driving the chip's flash
/// controller register by register. Option bytes still go through the family driver over memory access.
/// </summary>
/// <remarks>
/// Every <see cref="ProgramAsync"/> ends with the server's commit, so a read-back right after it sees the new contents.
/// The server erases whole blocks of its memory map; the engine's erase plan is in the chip's own units, which the
/// server widens to its blocks.
/// </remarks>
public sealed class ServerFlashDriver(DevicePart part, IServerFlashProgramming server, IFlashDriver optionBytes) : IFlashDriver
{
    /// <inheritdoc />
    public DevicePart Part { get; } = part;

    /// <summary>Whether the server's flash regions cover every byte of <paramref name="ranges"/>.</summary>
    public static bool Covers(IServerFlashProgramming server, IEnumerable<(uint Address, ulong Length)> ranges)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(ranges);
        return ranges.All(r => server.FlashRegions.Any(f => f.Start <= r.Address && r.Address + r.Length <= f.End));
    }

    /// <inheritdoc />
    public ValueTask UnlockAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask LockAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public async ValueTask EraseAsync(IReadOnlyList<EraseUnit> units, IProgress<FlashProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(units);
        var done = 0;
        foreach (var unit in units)
        {
            await server.EraseFlashAsync(unit.Address, unit.Size, cancellationToken).ConfigureAwait(false);
            progress?.Report(new FlashProgress(++done, units.Count));
        }
    }

    /// <inheritdoc />
    public async ValueTask MassEraseAsync(IProgress<FlashProgress>? progress, CancellationToken cancellationToken)
    {
        var regions = server.FlashRegions.Where(f => f.Start < Part.Layout.End && f.End > Part.Layout.Start).ToList();
        var done = 0;
        foreach (var region in regions)
        {
            await server.EraseFlashAsync(region.Start, (uint)region.Length, cancellationToken).ConfigureAwait(false);
            progress?.Report(new FlashProgress(++done, regions.Count));
        }
    }

    /// <inheritdoc />
    public async ValueTask ProgramAsync(uint address, ReadOnlyMemory<byte> data, IProgress<FlashProgress>? progress, CancellationToken cancellationToken)
    {
        await server.WriteFlashAsync(address, data, cancellationToken).ConfigureAwait(false);
        await server.CommitFlashAsync(cancellationToken).ConfigureAwait(false);
        progress?.Report(new FlashProgress(data.Length, data.Length));
    }

    /// <inheritdoc />
    public ValueTask<OptionByteState> ReadOptionBytesAsync(CancellationToken cancellationToken) => optionBytes.ReadOptionBytesAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask<OptionByteState> WriteOptionBytesAsync(OptionByteChange change, CancellationToken cancellationToken) => optionBytes.WriteOptionBytesAsync(change, cancellationToken);
}

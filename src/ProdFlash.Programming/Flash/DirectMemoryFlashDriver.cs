using ProdFlash.Core.Devices;
using ProdFlash.Core.Targets;

namespace ProdFlash.Programming.Flash;

/// <summary>
/// Writes "flash" with plain memory writes, for a target whose flash takes them and that has no flash controller to
/// drive (QEMU's STM32 boards behind its GDB stub). Nothing is erased and there are no option bytes; the engine reports
/// those checks as not available and proves the content by reading it back.
/// </summary>
public sealed class DirectMemoryFlashDriver(DevicePart part, ITargetMemory memory) : IFlashDriver
{
    /// <inheritdoc />
    public DevicePart Part { get; } = part;

    /// <inheritdoc />
    public ValueTask UnlockAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask LockAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask EraseAsync(IReadOnlyList<EraseUnit> units, IProgress<FlashProgress>? progress, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask MassEraseAsync(IProgress<FlashProgress>? progress, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public async ValueTask ProgramAsync(uint address, ReadOnlyMemory<byte> data, IProgress<FlashProgress>? progress, CancellationToken cancellationToken)
    {
        await memory.WriteAsync(address, data, AccessWidth.Byte, cancellationToken).ConfigureAwait(false);
        progress?.Report(new FlashProgress(data.Length, data.Length));
    }

    /// <inheritdoc />
    public ValueTask<OptionByteState> ReadOptionBytesAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException("A target written with plain memory writes has no option bytes to read.");

    /// <inheritdoc />
    public ValueTask<OptionByteState> WriteOptionBytesAsync(OptionByteChange change, CancellationToken cancellationToken) =>
        throw new NotSupportedException("A target written with plain memory writes has no option bytes to write.");
}

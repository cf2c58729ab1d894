using ProdFlash.Core.Devices;
using ProdFlash.Core.Targets;

namespace ProdFlash.Programming.Engine;

/// <summary>
/// The target memory handed to the flash driver: passes every access through and adds up the modeled time spent
/// reading the flash status register (the driver's BSY polls), the ledger's busy-wait time.
/// </summary>
/// <remarks>Not thread-safe; used by the runner that owns the probe.</remarks>
internal sealed class LedgerMemory : ITargetMemory
{
    private readonly ITargetMemory _inner;
    private readonly TimeProvider _clock;
    private readonly HashSet<uint> _statusRegisters;

    public LedgerMemory(ITargetMemory inner, FlashControllerMap controller, TimeProvider clock)
    {
        _inner = inner;
        _clock = clock;
        _statusRegisters = [];
        if (controller.Registers.TryGetValue(FlashRegisterNames.Sr, out var sr))
        {
            _statusRegisters.Add(controller.Base + sr);
            if (controller.Bank2RegisterOffset is { } bank2)
            {
                _statusRegisters.Add(controller.Base + bank2 + sr);
            }
        }
    }

    /// <summary>Modeled time spent in status-register reads so far.</summary>
    public TimeSpan BusyWait { get; private set; }

    public async ValueTask ReadAsync(uint address, Memory<byte> destination, AccessWidth width, CancellationToken cancellationToken)
    {
        if (!_statusRegisters.Contains(address))
        {
            await _inner.ReadAsync(address, destination, width, cancellationToken).ConfigureAwait(false);
            return;
        }

        var start = _clock.GetTimestamp();
        await _inner.ReadAsync(address, destination, width, cancellationToken).ConfigureAwait(false);
        BusyWait += _clock.GetElapsedTime(start);
    }

    public ValueTask WriteAsync(uint address, ReadOnlyMemory<byte> source, AccessWidth width, CancellationToken cancellationToken) =>
        _inner.WriteAsync(address, source, width, cancellationToken);
}

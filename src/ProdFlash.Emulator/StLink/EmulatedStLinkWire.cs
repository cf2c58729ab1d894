using ProdFlash.Probes.StLink;

namespace ProdFlash.Emulator.StLink;

/// <summary>The in-process ST-LINK wire over an emulated probe: what an <c>emulator://</c> selector opens.</summary>
/// <remarks>
/// The wire does not own the probe (a test or the emulator host does); disposing only closes this wire. In real-time
/// mode each transaction waits its modeled time on the clock's <see cref="TimeProvider"/>. Not thread-safe, like
/// every <see cref="IStLinkWire"/>.
/// </remarks>
public sealed class EmulatedStLinkWire : IStLinkWire
{
    private readonly EmulatedStLink _probe;
    private bool _disposed;

    /// <summary>Opens a wire to <paramref name="probe"/>.</summary>
    public EmulatedStLinkWire(EmulatedStLink probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        _probe = probe;
    }

    /// <inheritdoc />
    public string Description => $"emulated ST-LINK {_probe.Personality.FirmwareName} serial {_probe.Personality.Serial}";

    /// <inheritdoc />
    public async ValueTask<int> TransferAsync(
        ReadOnlyMemory<byte> command,
        ReadOnlyMemory<byte> dataOut,
        Memory<byte> dataIn,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (command.Length != StLinkWire.CommandBlockLength)
        {
            throw new ArgumentException($"A command block is {StLinkWire.CommandBlockLength} bytes; got {command.Length}.", nameof(command));
        }

        var received = _probe.Execute(command.Span, dataOut.Span, dataIn.Span);
        if (received == EmulatedStLink.NoAnswer)
        {
            // The host waits its whole timeout for a reply that never comes.
            _probe.Clock.Advance(timeout);
        }

        await _probe.Clock.SettleAsync(cancellationToken).ConfigureAwait(false);
        if (received == EmulatedStLink.NoAnswer)
        {
            throw new StLinkTransportException(
                $"{Description} did not answer command 0x{command.Span[0]:X2} within {timeout.TotalMilliseconds:0} ms (firmware hung or command unknown to it); unplug and replug the probe.")
            {
                IsTimeout = true,
            };
        }

        return received;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        return ValueTask.CompletedTask;
    }
}

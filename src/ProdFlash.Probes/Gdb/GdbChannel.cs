using System.Globalization;
using System.Net.Sockets;
using System.Text;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ProdFlash.Probes.Gdb;

/// <summary>
/// The packet layer of the GDB remote protocol over one byte stream (normally a loopback or LAN TCP connection):
/// sends framed packets and waits for their <c>+</c>, retransmits on <c>-</c>, receives packets, checks their
/// checksum and acknowledges them (asks again with <c>-</c> on a bad checksum), until no-ack mode is entered.
/// </summary>
/// <remarks>
/// Owns the stream: <see cref="DisposeAsync"/> closes it and never throws. Not thread-safe: one owner sends a packet
/// and awaits its reply before the next. Every wait is bounded by <see cref="GdbChannelOptions.Timeout"/> and ends in
/// <see cref="GdbTimeoutException"/>; a closed stream is <see cref="GdbTransportException"/>;
/// <see cref="OperationCanceledException"/> passes untouched.
/// </remarks>
public sealed class GdbChannel : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly GdbChannelOptions _options;
    private readonly ILogger _logger;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _bufferStart;
    private int _bufferEnd;
    private long _packetsOut;
    private long _bytesOut;
    private long _bytesIn;
    private bool _disposed;

    /// <summary>Creates the channel over <paramref name="stream"/>, which it owns from now on.</summary>
    /// <param name="stream">The connected byte stream to the server.</param>
    /// <param name="options">Timeout and retransmit bound.</param>
    /// <param name="logger">Receives one entry per retransmission and per discarded byte run.</param>
    public GdbChannel(Stream stream, GdbChannelOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _options = options ?? new GdbChannelOptions();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Whether no-ack mode is on (after a successful <c>QStartNoAckMode</c>): no <c>+</c>/<c>-</c> either way.</summary>
    public bool NoAck { get; set; }

    /// <summary>Packets sent so far (each request, not counting acks).</summary>
    public long PacketsOut => Interlocked.Read(ref _packetsOut);

    /// <summary>Bytes written to the stream so far.</summary>
    public long BytesOut => Interlocked.Read(ref _bytesOut);

    /// <summary>Bytes read from the stream so far.</summary>
    public long BytesIn => Interlocked.Read(ref _bytesIn);

    /// <summary>The bound on each wait for an ack or a reply.</summary>
    public TimeSpan Timeout => _options.Timeout;

    /// <summary>
    /// Whether a byte from the server is waiting to be read (a stop reply of a running target), without blocking.
    /// Only known for a <see cref="NetworkStream"/>; other streams answer from the channel's buffer alone.
    /// </summary>
    public bool DataAvailable => _bufferStart < _bufferEnd || (_stream is NetworkStream network && network.DataAvailable);

    /// <summary>Sends a text command and waits for its acknowledgement.</summary>
    public ValueTask SendAsync(string command, CancellationToken cancellationToken) =>
        SendFrameAsync(GdbPacket.Frame(command), command, cancellationToken);

    /// <summary>Sends an already escaped binary payload and waits for its acknowledgement.</summary>
    /// <param name="escapedPayload">The payload with <c>$ # } *</c> escaped (see <see cref="GdbPacket.AppendEscaped"/>).</param>
    /// <param name="description">The command as text for error messages (e.g. <c>vFlashWrite:8000000:...</c>).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public ValueTask SendAsync(ReadOnlyMemory<byte> escapedPayload, string description, CancellationToken cancellationToken) =>
        SendFrameAsync(GdbPacket.Frame(escapedPayload.Span), description, cancellationToken);

    /// <summary>Sends the out-of-band interrupt byte (0x03, Ctrl-C), which is never acknowledged.</summary>
    public async ValueTask SendInterruptAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await WriteAsync(new[] { GdbPacket.Interrupt }, "interrupt (0x03)", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Receives the next packet, checks its checksum, acknowledges it (unless in no-ack mode) and returns its decoded
    /// payload as text (Latin-1, so binary payloads keep one char per byte).
    /// </summary>
    /// <param name="command">The command the reply is awaited for, for error messages.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="timeout">A bound other than <see cref="Timeout"/> (e.g. for a long erase); null for the default.</param>
    public async ValueTask<string> ReceiveAsync(string command, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var bound = timeout ?? _options.Timeout;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(bound);
        var badChecksums = 0;
        var raw = new List<byte>(256);
        while (true)
        {
            // Skip to the start of a packet; acks here are stale (a late '+' after a retransmission) or noise.
            byte b;
            var skipped = 0;
            while ((b = await ReadByteAsync(command, bound, limit.Token, cancellationToken).ConfigureAwait(false)) != GdbPacket.Start)
            {
                skipped++;
            }

            if (skipped > 0 && _logger.IsEnabled(LogLevel.Debug))
            {
                _logger.LogDebug("GDB: skipped {Count} bytes before a packet while waiting for the reply to {Command}", skipped, command);
            }

            raw.Clear();
            while ((b = await ReadByteAsync(command, bound, limit.Token, cancellationToken).ConfigureAwait(false)) != GdbPacket.End)
            {
                raw.Add(b);
            }

            var high = GdbPacket.HexValue(await ReadByteAsync(command, bound, limit.Token, cancellationToken).ConfigureAwait(false));
            var low = GdbPacket.HexValue(await ReadByteAsync(command, bound, limit.Token, cancellationToken).ConfigureAwait(false));
            var expected = GdbPacket.Checksum(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(raw));
            if (high >= 0 && low >= 0 && ((high << 4) | low) == expected)
            {
                if (!NoAck)
                {
                    await WriteAsync(new[] { GdbPacket.Ack }, command, cancellationToken).ConfigureAwait(false);
                }

                byte[] decoded;
                try
                {
                    decoded = GdbPacket.Decode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(raw));
                }
                catch (FormatException ex)
                {
                    throw new GdbProtocolException($"The GDB server's reply to '{Short(command)}' does not decode: {ex.Message}", command, ex);
                }

                return Encoding.Latin1.GetString(decoded);
            }

            if (NoAck)
            {
                throw new GdbProtocolException(
                    string.Create(CultureInfo.InvariantCulture, $"The GDB server's reply to '{Short(command)}' has a wrong checksum (expected {expected:x2}) in no-ack mode, where it cannot be asked again."),
                    command);
            }

            if (++badChecksums > _options.MaxRetransmits)
            {
                throw new GdbProtocolException(
                    string.Create(CultureInfo.InvariantCulture, $"The GDB server's reply to '{Short(command)}' had a wrong checksum {badChecksums} times; the link is corrupting data."),
                    command);
            }

            _logger.LogWarning("GDB: reply to {Command} had a bad checksum (expected {Expected:x2}); asking again ({Try} of {Max})", Short(command), expected, badChecksums, _options.MaxRetransmits);
            await WriteAsync(new[] { GdbPacket.Nak }, command, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Closes the stream. Never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            _logger.LogDebug(ex, "GDB: closing the stream failed");
        }
    }

    /// <summary>The start of <paramref name="command"/> for messages (binary payloads are long).</summary>
    internal static string Short(string command) => command.Length <= 48 ? command : command[..48] + "…";

    private async ValueTask SendFrameAsync(byte[] frame, string command, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Interlocked.Increment(ref _packetsOut);
        for (var attempt = 0; ; attempt++)
        {
            await WriteAsync(frame, command, cancellationToken).ConfigureAwait(false);
            if (NoAck)
            {
                return;
            }

            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(_options.Timeout);
            byte b;
            while ((b = await ReadByteAsync(command, _options.Timeout, limit.Token, cancellationToken).ConfigureAwait(false)) is not (GdbPacket.Ack or GdbPacket.Nak))
            {
                // A stray byte before the ack (e.g. the tail of an earlier packet) is not an answer; keep waiting.
            }

            if (b == GdbPacket.Ack)
            {
                return;
            }

            if (attempt >= _options.MaxRetransmits)
            {
                throw new GdbProtocolException(
                    string.Create(CultureInfo.InvariantCulture, $"The GDB server refused '{Short(command)}' with '-' {attempt + 1} times; the link is corrupting data."),
                    command);
            }

            _logger.LogWarning("GDB: server answered '-' to {Command}; retransmitting ({Try} of {Max})", Short(command), attempt + 1, _options.MaxRetransmits);
        }
    }

    private async ValueTask WriteAsync(byte[] bytes, string command, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _bytesOut, bytes.Length);
        }
        catch (IOException ex)
        {
            throw new GdbTransportException($"Sending '{Short(command)}' to the GDB server failed: {ex.Message}", command, ex);
        }
    }

    private async ValueTask<byte> ReadByteAsync(string command, TimeSpan bound, CancellationToken limited, CancellationToken caller)
    {
        if (_bufferStart < _bufferEnd)
        {
            return _buffer[_bufferStart++];
        }

        int read;
        try
        {
            read = await _stream.ReadAsync(_buffer, limited).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!caller.IsCancellationRequested)
        {
            throw new GdbTimeoutException(
                string.Create(CultureInfo.InvariantCulture, $"The GDB server did not answer '{Short(command)}' within {bound.TotalSeconds:0.#} s: the server or its target is not responding."),
                command,
                bound);
        }
        catch (IOException ex)
        {
            throw new GdbTransportException($"Reading the GDB server's answer to '{Short(command)}' failed: {ex.Message}", command, ex);
        }

        if (read == 0)
        {
            throw new GdbTransportException($"The GDB server closed the connection while '{Short(command)}' waited for its answer.", command);
        }

        Interlocked.Add(ref _bytesIn, read);
        _bufferStart = 1;
        _bufferEnd = read;
        return _buffer[0];
    }
}

/// <summary>Bounds of the GDB packet layer.</summary>
public sealed record GdbChannelOptions
{
    /// <summary>How long to wait for an ack or a reply. OpenOCD's flash erase of a large part can take seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a packet is sent again after <c>-</c>, and a reply asked again after a bad checksum.</summary>
    public int MaxRetransmits { get; init; } = 3;
}

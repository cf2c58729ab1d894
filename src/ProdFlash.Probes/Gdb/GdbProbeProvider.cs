using System.Net.Sockets;

using Microsoft.Extensions.Logging;

using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Probes;
using ProdFlash.Core.Targets;

namespace ProdFlash.Probes.Gdb;

/// <summary>
/// Opens <c>gdb://HOST:PORT</c> selectors: connects to the GDB server, negotiates features and returns the
/// <see cref="GdbProbe"/>.
/// </summary>
/// <remarks>
/// Thread-safe; each open makes its own connection, owned by the caller. Failures are <see cref="ProbeOpenException"/>:
/// nothing listening (<see cref="FailureCode.ProbeNotFound"/> with the address), a server that does not answer the
/// handshake (<see cref="FailureCode.ProbeDisconnected"/>).
/// </remarks>
public sealed class GdbProbeProvider : IProbeProvider
{
    private readonly GdbProbeOptions _options;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly TimeProvider? _clock;

    /// <summary>Creates the provider.</summary>
    public GdbProbeProvider(GdbProbeOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? clock = null)
    {
        _options = options ?? new GdbProbeOptions();
        _loggerFactory = loggerFactory;
        _clock = clock;
    }

    /// <inheritdoc />
    public string Scheme => ProbeSelector.GdbScheme;

    /// <inheritdoc />
    public async ValueTask<IDebugProbe> OpenAsync(ProbeSelector selector, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(selector);
        var text = selector.ToString();
        if (selector.Kind != ProbeSelectorKind.Gdb)
        {
            throw new ProbeSelectorException(text, $"'{text}' is not a GDB selector; write gdb://HOST:PORT, e.g. gdb://127.0.0.1:3333.");
        }

        var logger = _loggerFactory?.CreateLogger<GdbProbe>();
        GdbClient client;
        try
        {
            client = await GdbClient.ConnectAsync(selector.Host!, selector.Port!.Value, _options.Channel, logger, cancellationToken).ConfigureAwait(false);
        }
        catch (GdbException ex)
        {
            var refused = ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused };
            throw new ProbeOpenException(text, FailureCode.ProbeNotFound,
                refused
                    ? $"No GDB server is listening at {selector.Host}:{selector.Port} ('{text}'): start the server (OpenOCD, QEMU -gdb, pyOCD...) or correct the address."
                    : $"The GDB server of '{text}' cannot be reached: {ex.Message}",
                ex);
        }

        try
        {
            await client.HandshakeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (GdbException ex)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw new ProbeOpenException(text, FailureCode.ProbeDisconnected, $"The GDB server of '{text}' accepted the connection but did not complete the handshake: {ex.Message}", ex);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new GdbProbe(client, text, _options, _clock);
    }
}

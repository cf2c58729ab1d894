using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Xml;
using System.Xml.Linq;

using Microsoft.Extensions.Logging;

using ProdFlash.Core.Targets;

namespace ProdFlash.Probes.Gdb;

/// <summary>
/// A GDB remote-protocol client for one server connection (GDB manual, Appendix E): feature negotiation, memory map and
/// target description, memory, registers, monitor commands, flash, run / halt, detach.
/// </summary>
/// <remarks>
/// Owns its <see cref="GdbChannel"/>. Not thread-safe: one owner awaits each call before the next. In all-stop mode a
/// running target accepts no command but the interrupt; calls that need a halted target throw
/// <see cref="InvalidOperationException"/> while <see cref="Running"/>. Error replies become
/// <see cref="GdbErrorReplyException"/> naming the command and address; unsupported commands (empty reply) become
/// <see cref="GdbProtocolException"/> unless a fallback exists.
/// </remarks>
public sealed class GdbClient : IAsyncDisposable
{
    /// <summary>The packet size GDB assumes when the server does not say (GDB's <c>remote packet size</c> default).</summary>
    public const int DefaultPacketSize = 400;

    /// <summary>What we offer in <c>qSupported</c>.</summary>
    public const string SupportedRequest = "qSupported:multiprocess-;swbreak+;hwbreak+;xmlRegisters=arm;vContSupported+";

    private const int CommandOverhead = 32; // room for "Maddr,len:" and the frame around data

    private readonly GdbChannel _channel;
    private readonly ILogger? _logger;
    private readonly Dictionary<string, string> _features = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _registerNumbers = new(StringComparer.OrdinalIgnoreCase);
    private bool? _binaryWrites;
    private bool? _singleRegisters;
    private bool _vContContinue;

    /// <summary>Creates the client over a connected channel, which it owns from now on; call <see cref="HandshakeAsync"/> next.</summary>
    public GdbClient(GdbChannel channel, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(channel);
        _channel = channel;
        _logger = logger;
    }

    /// <summary>The packet layer underneath (for its counters).</summary>
    public GdbChannel Channel => _channel;

    /// <summary>The largest packet the server accepts (its <c>PacketSize</c>, or <see cref="DefaultPacketSize"/>).</summary>
    public int PacketSize { get; private set; } = DefaultPacketSize;

    /// <summary>The server's <c>qSupported</c> reply: name → value (<c>+</c>, <c>-</c>, or the value after <c>=</c>).</summary>
    public IReadOnlyDictionary<string, string> Features => _features;

    /// <summary>The server's memory map (<c>qXfer:memory-map:read</c>); empty when it offers none.</summary>
    public IReadOnlyList<ServerMemoryRegion> MemoryMap { get; private set; } = [];

    /// <summary>Register names → numbers from the server's target description; empty when it offers none.</summary>
    public IReadOnlyDictionary<string, int> RegisterNumbers => _registerNumbers;

    /// <summary>Whether the target was let run and has not reported a stop yet.</summary>
    public bool Running { get; private set; }

    /// <summary>The last stop reply (<c>T05...</c>, <c>S02</c>), or null before the first.</summary>
    public string? LastStopReply { get; private set; }

    /// <summary>Whether the server supports <c>X</c> binary memory writes; null until the first write asked.</summary>
    public bool? BinaryWrites => _binaryWrites;

    /// <summary>Whether the server supports <c>p</c>/<c>P</c>; null until the first register access asked.</summary>
    public bool? SingleRegisters => _singleRegisters;

    /// <summary>Whether the server advertised <paramref name="feature"/> with <c>+</c>.</summary>
    public bool Supports(string feature) => _features.TryGetValue(feature, out var value) && value == "+";

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/> over TCP and returns a client (handshake not yet done).</summary>
    /// <exception cref="GdbTransportException">The connection was refused or failed.</exception>
    /// <exception cref="GdbTimeoutException">The connection did not complete within the channel timeout.</exception>
    public static async Task<GdbClient> ConnectAsync(string host, int port, GdbChannelOptions? options, ILogger? logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        options ??= new GdbChannelOptions();
        var tcp = new TcpClient { NoDelay = true };
        var endpoint = string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(options.Timeout);
            try
            {
                await tcp.ConnectAsync(host, port, limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new GdbTimeoutException(string.Create(CultureInfo.InvariantCulture, $"No GDB server answered at {endpoint} within {options.Timeout.TotalSeconds:0.#} s."), "connect", options.Timeout);
            }
            catch (SocketException ex)
            {
                throw new GdbTransportException($"No GDB server at {endpoint}: {ex.Message} ({ex.SocketErrorCode}).", "connect", ex);
            }
        }
        catch
        {
            tcp.Dispose();
            throw;
        }

        return new GdbClient(new GdbChannel(tcp.GetStream(), options, logger), logger);
    }

    /// <summary>
    /// Negotiates features (<c>qSupported</c>), enters no-ack mode when offered, asks the stop reason (<c>?</c>), and
    /// reads the target description (register numbers) and the memory map when the server offers them.
    /// </summary>
    public async ValueTask HandshakeAsync(CancellationToken cancellationToken)
    {
        var reply = await RequestAsync(SupportedRequest, null, cancellationToken).ConfigureAwait(false);
        _features.Clear();
        foreach (var item in reply.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                _features[item[..eq]] = item[(eq + 1)..];
            }
            else if (item.EndsWith('+') || item.EndsWith('-') || item.EndsWith('?'))
            {
                _features[item[..^1]] = item[^1..];
            }
        }

        if (_features.TryGetValue("PacketSize", out var size)
            && int.TryParse(size, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var packetSize) && packetSize >= 64)
        {
            PacketSize = packetSize;
        }

        if (Supports("QStartNoAckMode"))
        {
            var ok = await RequestAsync("QStartNoAckMode", null, cancellationToken).ConfigureAwait(false);
            if (ok == "OK")
            {
                _channel.NoAck = true;
            }
        }

        var stop = await RequestAsync("?", null, cancellationToken).ConfigureAwait(false);
        LastStopReply = stop;
        Running = false;

        if (Supports("qXfer:features:read"))
        {
            await ReadTargetDescriptionAsync(cancellationToken).ConfigureAwait(false);
        }

        if (Supports("qXfer:memory-map:read"))
        {
            var xml = await ReadObjectAsync("memory-map", string.Empty, cancellationToken).ConfigureAwait(false);
            try
            {
                MemoryMap = GdbMemoryMap.Parse(xml);
            }
            catch (FormatException ex)
            {
                throw new GdbProtocolException($"The GDB server's memory map does not parse: {ex.Message}", "qXfer:memory-map:read", ex);
            }
        }

        var vCont = await RequestAsync("vCont?", null, cancellationToken).ConfigureAwait(false);
        _vContContinue = vCont.StartsWith("vCont", StringComparison.Ordinal) && vCont.Split(';').Contains("c");
    }

    /// <summary>Reads a whole <c>qXfer</c> object (<c>m</c> chunks until <c>l</c>).</summary>
    public async ValueTask<string> ReadObjectAsync(string objectName, string annex, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var chunk = PacketSize - CommandOverhead;
        while (true)
        {
            var command = string.Create(CultureInfo.InvariantCulture, $"qXfer:{objectName}:read:{annex}:{text.Length:x},{chunk:x}");
            var reply = await RequestAsync(command, null, cancellationToken).ConfigureAwait(false);
            ThrowIfError(reply, command, null);
            if (reply.Length == 0)
            {
                throw new GdbProtocolException($"The GDB server does not serve qXfer:{objectName} although it advertised it.", command);
            }

            text.Append(reply, 1, reply.Length - 1);
            if (reply[0] == 'l')
            {
                return text.ToString();
            }

            if (reply[0] != 'm' || reply.Length == 1)
            {
                throw new GdbProtocolException($"The GDB server answered '{GdbChannel.Short(reply)}' to '{command}', not an m or l chunk.", command);
            }
        }
    }

    /// <summary>Reads target memory with <c>m</c>, in chunks that fit the packet size.</summary>
    public async ValueTask ReadMemoryAsync(uint address, Memory<byte> destination, CancellationToken cancellationToken)
    {
        RequireHalted("read memory");
        var chunk = Math.Max(1, (PacketSize - CommandOverhead) / 2);
        var done = 0;
        while (done < destination.Length)
        {
            var at = address + (uint)done;
            var count = Math.Min(chunk, destination.Length - done);
            var command = string.Create(CultureInfo.InvariantCulture, $"m{at:x},{count:x}");
            var reply = await RequestAsync(command, null, cancellationToken).ConfigureAwait(false);
            ThrowIfError(reply, command, at);
            if (reply.Length == 0 || reply.Length % 2 != 0 || !GdbPacket.IsHex(reply))
            {
                throw new GdbProtocolException($"The GDB server answered '{GdbChannel.Short(reply)}' to '{command}', not hex memory contents.", command);
            }

            // A server may return fewer bytes than asked (e.g. at the end of a region); ask again from there.
            var bytes = GdbPacket.FromHex(reply);
            var used = Math.Min(bytes.Length, count);
            bytes.AsSpan(0, used).CopyTo(destination.Span[done..]);
            done += used;
        }
    }

    /// <summary>Writes target memory with <c>X</c> (binary) when the server supports it, else <c>M</c> (hex).</summary>
    public async ValueTask WriteMemoryAsync(uint address, ReadOnlyMemory<byte> source, CancellationToken cancellationToken)
    {
        RequireHalted("write memory");
        if (source.Length == 0)
        {
            return;
        }

        if (_binaryWrites is null)
        {
            var probe = string.Create(CultureInfo.InvariantCulture, $"X{address:x},0:");
            var reply = await RequestAsync(probe, null, cancellationToken).ConfigureAwait(false);
            _binaryWrites = reply == "OK";
        }

        var done = 0;
        while (done < source.Length)
        {
            var at = address + (uint)done;
            string command;
            int count;
            if (_binaryWrites == true)
            {
                var header = string.Create(CultureInfo.InvariantCulture, $"X{at:x},");
                count = FitEscaped(source.Span[done..], PacketSize - CommandOverhead);
                var payload = new List<byte>(PacketSize);
                payload.AddRange(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{header}{count:x}:")));
                GdbPacket.AppendEscaped(payload, source.Span.Slice(done, count));
                command = string.Create(CultureInfo.InvariantCulture, $"X{at:x},{count:x}:…");
                var reply = await RequestAsync([.. payload], command, cancellationToken).ConfigureAwait(false);
                ExpectOk(reply, command, at);
            }
            else
            {
                count = Math.Min(Math.Max(1, (PacketSize - CommandOverhead) / 2), source.Length - done);
                command = string.Create(CultureInfo.InvariantCulture, $"M{at:x},{count:x}:{GdbPacket.ToHex(source.Span.Slice(done, count))}");
                var reply = await RequestAsync(command, null, cancellationToken).ConfigureAwait(false);
                ExpectOk(reply, command, at);
            }

            done += count;
        }
    }

    /// <summary>Reads all general registers with <c>g</c>, as the server's raw bytes (target order).</summary>
    public async ValueTask<byte[]> ReadAllRegistersAsync(CancellationToken cancellationToken)
    {
        RequireHalted("read registers");
        var reply = await RequestAsync("g", null, cancellationToken).ConfigureAwait(false);
        ThrowIfError(reply, "g", null);
        if (reply.Length == 0 || !GdbPacket.IsHex(reply.Replace('x', '0')))
        {
            throw new GdbProtocolException($"The GDB server answered '{GdbChannel.Short(reply)}' to 'g', not register contents.", "g");
        }

        // 'xx' marks a register the server cannot read; it reads as zero here.
        return GdbPacket.FromHex(reply.Replace('x', '0'));
    }

    /// <summary>Writes all general registers with <c>G</c>.</summary>
    public async ValueTask WriteAllRegistersAsync(ReadOnlyMemory<byte> registers, CancellationToken cancellationToken)
    {
        RequireHalted("write registers");
        var command = "G" + GdbPacket.ToHex(registers.Span);
        ExpectOk(await RequestAsync(command, null, cancellationToken).ConfigureAwait(false), command, null);
    }

    /// <summary>
    /// Reads 32-bit register <paramref name="number"/> with <c>p</c>; where the server does not support <c>p</c>, reads
    /// it out of the <c>g</c> packet (registers 0-15 only: r0-r12, sp, lr, pc are the first sixteen words everywhere).
    /// </summary>
    public async ValueTask<uint> ReadRegisterAsync(int number, CancellationToken cancellationToken)
    {
        RequireHalted("read a register");
        if (_singleRegisters != false)
        {
            var command = string.Create(CultureInfo.InvariantCulture, $"p{number:x}");
            var reply = await RequestAsync(command, null, cancellationToken).ConfigureAwait(false);
            ThrowIfError(reply, command, null);
            if (reply.Length > 0)
            {
                _singleRegisters = true;
                if (reply.Length < 8 || !GdbPacket.IsHex(reply))
                {
                    throw new GdbProtocolException($"The GDB server answered '{reply}' to '{command}', not a 32-bit register.", command);
                }

                return BinaryPrimitives.ReadUInt32LittleEndian(GdbPacket.FromHex(reply.AsSpan(0, 8)));
            }

            _singleRegisters = false;
        }

        var all = await ReadAllRegistersAsync(cancellationToken).ConfigureAwait(false);
        RequireInGPacket(number, all.Length, "p");
        return BinaryPrimitives.ReadUInt32LittleEndian(all.AsSpan(number * 4, 4));
    }

    /// <summary>Writes 32-bit register <paramref name="number"/> with <c>P</c>, or through <c>g</c>/<c>G</c> for registers 0-15.</summary>
    public async ValueTask WriteRegisterAsync(int number, uint value, CancellationToken cancellationToken)
    {
        RequireHalted("write a register");
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        if (_singleRegisters != false)
        {
            var command = string.Create(CultureInfo.InvariantCulture, $"P{number:x}={GdbPacket.ToHex(bytes)}");
            var reply = await RequestAsync(command, null, cancellationToken).ConfigureAwait(false);
            if (reply.Length > 0)
            {
                _singleRegisters = true;
                ExpectOk(reply, command, null);
                return;
            }

            _singleRegisters = false;
        }

        var all = await ReadAllRegistersAsync(cancellationToken).ConfigureAwait(false);
        RequireInGPacket(number, all.Length, "P");
        BinaryPrimitives.WriteUInt32LittleEndian(all.AsSpan(number * 4, 4), value);
        await WriteAllRegistersAsync(all, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a monitor command (<c>qRcmd</c>, hex-encoded) and returns what the server printed through <c>O</c> packets
    /// (and a hex-encoded final reply, where a server answers that way).
    /// </summary>
    /// <exception cref="GdbErrorReplyException">The server answered <c>Exx</c>.</exception>
    /// <exception cref="GdbProtocolException">The server does not support monitor commands (empty reply).</exception>
    public async ValueTask<string> MonitorAsync(string command, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        RequireHalted("run a monitor command");
        var packet = "qRcmd," + GdbPacket.ToHex(Encoding.UTF8.GetBytes(command));
        var output = new StringBuilder();
        var reply = await RequestAsync(packet, output, cancellationToken, timeout, $"monitor {command}").ConfigureAwait(false);
        ThrowIfError(reply, $"monitor {command}", null);
        if (reply.Length == 0)
        {
            throw new GdbProtocolException($"The GDB server does not support monitor commands ('monitor {command}' got an empty reply).", packet);
        }

        if (reply != "OK" && reply.Length % 2 == 0 && GdbPacket.IsHex(reply))
        {
            output.Append(Encoding.UTF8.GetString(GdbPacket.FromHex(reply)));
        }

        return output.ToString();
    }

    /// <summary>Erases flash with <c>vFlashErase</c>; the range must be aligned to the region's block size.</summary>
    public async ValueTask FlashEraseAsync(uint address, uint length, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        RequireHalted("erase flash");
        var command = string.Create(CultureInfo.InvariantCulture, $"vFlashErase:{address:x},{length:x}");
        ExpectOk(await RequestAsync(command, null, cancellationToken, timeout).ConfigureAwait(false), command, address);
    }

    /// <summary>Hands data to the server's flash writer with <c>vFlashWrite</c>, in packets that fit once escaped.</summary>
    public async ValueTask FlashWriteAsync(uint address, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        RequireHalted("write flash");
        var done = 0;
        while (done < data.Length)
        {
            var at = address + (uint)done;
            var header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"vFlashWrite:{at:x}:"));
            var count = FitEscaped(data.Span[done..], PacketSize - header.Length - 8);
            var payload = new List<byte>(PacketSize);
            payload.AddRange(header);
            GdbPacket.AppendEscaped(payload, data.Span.Slice(done, count));
            var command = string.Create(CultureInfo.InvariantCulture, $"vFlashWrite:{at:x}:<{count} bytes>");
            ExpectOk(await RequestAsync([.. payload], command, cancellationToken).ConfigureAwait(false), command, at);
            done += count;
        }
    }

    /// <summary>Finishes the buffered flash writes with <c>vFlashDone</c>.</summary>
    public async ValueTask FlashDoneAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        RequireHalted("finish flash writes");
        ExpectOk(await RequestAsync("vFlashDone", null, cancellationToken, timeout).ConfigureAwait(false), "vFlashDone", null);
    }

    /// <summary>Lets the target run (<c>vCont;c</c>, or <c>c</c>); the stop reply comes later.</summary>
    public async ValueTask ContinueAsync(CancellationToken cancellationToken)
    {
        RequireHalted("continue");
        await _channel.SendAsync(_vContContinue ? "vCont;c" : "c", cancellationToken).ConfigureAwait(false);
        Running = true;
    }

    /// <summary>Stops a running target (0x03) and waits for its stop reply; returns it. A halted target is left as it is.</summary>
    public async ValueTask<string> InterruptAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        if (!Running)
        {
            return LastStopReply ?? string.Empty;
        }

        if (await PollStopAsync(cancellationToken).ConfigureAwait(false))
        {
            return LastStopReply!;
        }

        await _channel.SendInterruptAsync(cancellationToken).ConfigureAwait(false);
        return await WaitForStopAsync("interrupt (0x03)", cancellationToken, timeout).ConfigureAwait(false);
    }

    /// <summary>Whether a running target has reported a stop (reads it without blocking when one is waiting).</summary>
    public async ValueTask<bool> PollStopAsync(CancellationToken cancellationToken)
    {
        while (Running && _channel.DataAvailable)
        {
            await WaitForStopAsync("poll for a stop reply", cancellationToken, null).ConfigureAwait(false);
        }

        return !Running;
    }

    /// <summary>Detaches (<c>D</c>): the server lets the target run and may close the connection.</summary>
    public async ValueTask DetachAsync(CancellationToken cancellationToken)
    {
        if (Running)
        {
            await InterruptAsync(cancellationToken).ConfigureAwait(false);
        }

        var reply = await RequestAsync("D", null, cancellationToken).ConfigureAwait(false);
        ExpectOk(reply, "D", null);
    }

    /// <summary>Closes the connection. Never throws.</summary>
    public ValueTask DisposeAsync() => _channel.DisposeAsync();

    /// <summary>Sends a text command and returns its reply, skipping <c>O</c> console-output packets (collected into <paramref name="output"/>).</summary>
    public ValueTask<string> RequestAsync(string command, StringBuilder? output, CancellationToken cancellationToken, TimeSpan? timeout = null, string? description = null) =>
        RequestAsync(GdbPacket.Frame(command).AsMemory(1, command.Length), description ?? command, output, cancellationToken, timeout);

    private ValueTask<string> RequestAsync(byte[] escapedPayload, string description, CancellationToken cancellationToken) =>
        RequestAsync(escapedPayload, description, null, cancellationToken, null);

    private async ValueTask<string> RequestAsync(ReadOnlyMemory<byte> escapedPayload, string description, StringBuilder? output, CancellationToken cancellationToken, TimeSpan? timeout)
    {
        if (Running)
        {
            throw new InvalidOperationException($"The target is running: '{GdbChannel.Short(description)}' needs it halted first.");
        }

        await _channel.SendAsync(escapedPayload, description, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var reply = await _channel.ReceiveAsync(description, cancellationToken, timeout).ConfigureAwait(false);
            if (IsOutput(reply))
            {
                AppendOutput(reply, output);
                continue;
            }

            return reply;
        }
    }

    private async ValueTask<string> WaitForStopAsync(string description, CancellationToken cancellationToken, TimeSpan? timeout)
    {
        while (true)
        {
            var reply = await _channel.ReceiveAsync(description, cancellationToken, timeout).ConfigureAwait(false);
            if (IsOutput(reply))
            {
                AppendOutput(reply, null);
                continue;
            }

            if (reply.Length == 0 || reply[0] is not ('T' or 'S' or 'W' or 'X'))
            {
                throw new GdbProtocolException($"The GDB server sent '{GdbChannel.Short(reply)}' while the target ran, not a stop reply.", description);
            }

            Running = false;
            LastStopReply = reply;
            return reply;
        }
    }

    private static bool IsOutput(string reply) => reply.Length > 1 && reply[0] == 'O' && reply.Length % 2 == 1 && GdbPacket.IsHex(reply.AsSpan(1));

    private void AppendOutput(string reply, StringBuilder? output)
    {
        var text = Encoding.UTF8.GetString(GdbPacket.FromHex(reply.AsSpan(1)));
        if (output is not null)
        {
            output.Append(text);
        }
        else
        {
            _logger?.LogInformation("GDB server output: {Text}", text.TrimEnd());
        }
    }

    private async ValueTask ReadTargetDescriptionAsync(CancellationToken cancellationToken)
    {
        var pending = new Queue<string>(["target.xml"]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var next = 0;
        while (pending.TryDequeue(out var annex))
        {
            if (!seen.Add(annex))
            {
                continue;
            }

            string xml;
            try
            {
                xml = await ReadObjectAsync("features", annex, cancellationToken).ConfigureAwait(false);
            }
            catch (GdbErrorReplyException ex)
            {
                _logger?.LogDebug(ex, "GDB: target description part {Annex} not served", annex);
                continue;
            }

            XDocument document;
            try
            {
                // QEMU's target.xml uses the xi: prefix without declaring it (QEMU 7.2 gdbstub.c); declare it here.
                var namespaces = new XmlNamespaceManager(new NameTable());
                namespaces.AddNamespace("xi", "http://www.w3.org/2001/XInclude");
                using var reader = XmlReader.Create(
                    new StringReader(xml),
                    new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null },
                    new XmlParserContext(null, namespaces, null, XmlSpace.None));
                document = XDocument.Load(reader);
            }
            catch (XmlException ex)
            {
                throw new GdbProtocolException($"The GDB server's target description {annex} is not well-formed XML: {ex.Message}", "qXfer:features:read:" + annex, ex);
            }

            foreach (var element in document.Descendants())
            {
                if (element.Name.LocalName == "include" && (string?)element.Attribute("href") is { } href)
                {
                    pending.Enqueue(href);
                }
                else if (element.Name.LocalName == "reg" && (string?)element.Attribute("name") is { } name)
                {
                    // GDB numbers a register without regnum one above the previous one (GDB manual, "Target Description Format").
                    var number = (string?)element.Attribute("regnum") is { } regnum ? int.Parse(regnum, CultureInfo.InvariantCulture) : next;
                    _registerNumbers.TryAdd(name, number);
                    next = number + 1;
                }
            }
        }
    }

    private void RequireHalted(string what)
    {
        if (Running)
        {
            throw new InvalidOperationException($"The target is running: halt it before you {what}.");
        }
    }

    private static void RequireInGPacket(int number, int length, string command)
    {
        if (number > 15 || (number * 4) + 4 > length)
        {
            throw new GdbProtocolException(
                string.Create(CultureInfo.InvariantCulture, $"The GDB server supports no '{command}' packet, and register {number} is not one of r0-r15 that the 'g' packet carries ({length} bytes)."),
                command);
        }
    }

    private static int FitEscaped(ReadOnlySpan<byte> data, int room)
    {
        var length = 0;
        var count = 0;
        foreach (var b in data)
        {
            var size = GdbPacket.NeedsEscape(b) ? 2 : 1;
            if (length + size > room)
            {
                break;
            }

            length += size;
            count++;
        }

        return Math.Max(1, count);
    }

    private static void ExpectOk(string reply, string command, uint? address)
    {
        ThrowIfError(reply, command, address);
        if (reply != "OK")
        {
            throw new GdbProtocolException(
                reply.Length == 0
                    ? $"The GDB server does not support '{GdbChannel.Short(command)}' (empty reply)."
                    : $"The GDB server answered '{GdbChannel.Short(reply)}' to '{GdbChannel.Short(command)}', not OK.",
                command);
        }
    }

    /// <summary>Throws <see cref="GdbErrorReplyException"/> for <c>Exx</c> and <c>E.text</c> replies.</summary>
    internal static void ThrowIfError(string reply, string command, uint? address)
    {
        if (reply.Length < 2 || reply[0] != 'E')
        {
            return;
        }

        int code;
        if (reply.Length == 3 && GdbPacket.IsHex(reply.AsSpan(1)))
        {
            code = int.Parse(reply.AsSpan(1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        }
        else if (reply[1] == '.')
        {
            code = -1;
        }
        else
        {
            return;
        }

        var where = address is { } a ? string.Create(CultureInfo.InvariantCulture, $" at 0x{a:X8}") : string.Empty;
        throw new GdbErrorReplyException($"The GDB server answered {reply} to '{GdbChannel.Short(command)}'{where}.", command, code, address);
    }
}

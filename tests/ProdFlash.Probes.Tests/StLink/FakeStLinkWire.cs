using ProdFlash.Probes.StLink;

namespace ProdFlash.Probes.Tests.StLink;

/// <summary>One transaction the driver sent, as the fake recorded it.</summary>
public sealed record WireTransaction(byte[] Command, byte[] DataOut, int DataInLength)
{
    /// <summary>The command block as hex, trimmed of trailing zero padding only up to <paramref name="length"/> bytes.</summary>
    public string Hex(int length) => Convert.ToHexString(Command, 0, length);
}

/// <summary>
/// A hand-written ST-LINK wire: records every command block and data phase, answers data-in transactions from a
/// queue of scripted replies (or a responder), and can be told to fail.
/// </summary>
public sealed class FakeStLinkWire : IStLinkWire
{
    private readonly Queue<byte[]> _replies = new();

    public List<WireTransaction> Transactions { get; } = [];

    /// <summary>Sees every transaction (data-out ones too); a non-null answer is the reply of a data-in transaction.</summary>
    public Func<WireTransaction, byte[]?>? Responder { get; set; }

    public bool Disposed { get; private set; }

    public string Description => "fake wire";

    public FakeStLinkWire Reply(params byte[] reply)
    {
        _replies.Enqueue(reply);
        return this;
    }

    public FakeStLinkWire ReplyHex(string hex) => Reply(Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal)));

    public int PendingReplies => _replies.Count;

    /// <summary>Transactions after <paramref name="skip"/>, as command-byte hex of <paramref name="length"/> bytes.</summary>
    public List<string> CommandsHex(int length, int skip = 0) => Transactions.Skip(skip).Select(t => t.Hex(length)).ToList();

    public ValueTask<int> TransferAsync(ReadOnlyMemory<byte> command, ReadOnlyMemory<byte> dataOut, Memory<byte> dataIn, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Assert.Equal(StLinkWire.CommandBlockLength, command.Length);
        Assert.False(!dataOut.IsEmpty && !dataIn.IsEmpty, "a transaction has at most one data phase");
        var transaction = new WireTransaction(command.ToArray(), dataOut.ToArray(), dataIn.Length);
        Transactions.Add(transaction);
        var answer = Responder?.Invoke(transaction);
        if (dataIn.IsEmpty)
        {
            return ValueTask.FromResult(0);
        }

        var reply = answer ?? (_replies.Count > 0
            ? _replies.Dequeue()
            : throw new StLinkTransportException($"Fake wire: no scripted reply for {Convert.ToHexString(command.Span[..4])} (transaction {Transactions.Count}).") { IsTimeout = true });
        var n = Math.Min(reply.Length, dataIn.Length);
        reply.AsSpan(0, n).CopyTo(dataIn.Span);
        return ValueTask.FromResult(n);
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}

/// <summary>GET_VERSION replies and opened probes for the tests.</summary>
public static class TestProbes
{
    /// <summary>V2J37S7 on PID 0x3748: ver = 2&lt;&lt;12 | 37&lt;&lt;6 | 7 = 0x2947.</summary>
    public const string V2J37S7 = "2947 8304 4837";

    /// <summary>V2J17S4 on PID 0x3748 (no 16-bit memory access, no DAP registers).</summary>
    public const string V2J17S4 = "2444 8304 4837";

    /// <summary>V2J13S4 on PID 0x3748 (no GETLASTRWSTATUS2).</summary>
    public const string V2J13S4 = "2344 8304 4837";

    /// <summary>V2J40M27 on PID 0x374B: ver = 0x2000 | 40&lt;&lt;6 | 27 = 0x2A1B.</summary>
    public const string V2J40M27 = "2A1B 8304 4B37";

    /// <summary>V3 answers GET_VERSION with x = y = 0, PID 0x374F.</summary>
    public const string V3Short = "3000 8304 4F37";

    /// <summary>GET_VERSION_EX of V3J7M3B5S1: major 3, swim 1, jtag 7, msc 3, bridge 5, VID 0x0483, PID 0x374F.</summary>
    public const string V3J7M3B5S1Ex = "03 01 07 03 05 00 00 00 8304 4F37";

    /// <summary>A probe opened on a scripted version, in mass-storage mode (no leave command).</summary>
    public static async Task<StLinkProbe> OpenAsync(FakeStLinkWire wire, string version, string? versionEx = null, StLinkProbeOptions? options = null)
    {
        wire.ReplyHex(version);
        if (versionEx is not null)
        {
            wire.ReplyHex(versionEx);
        }

        wire.Reply(0x01, 0x00);
        var probe = new StLinkProbe(wire, options ?? new StLinkProbeOptions { WaitBackoff = TimeSpan.FromTicks(10) });
        await probe.OpenAsync(TestContext.Current.CancellationToken);
        wire.Transactions.Clear();
        return probe;
    }

    public static byte[] Ok => [0x80, 0x00];

    /// <summary>A GETLASTRWSTATUS2 reply: status, then the fault address at [4..7].</summary>
    public static byte[] RwStatus2(byte status, uint faultAddress = 0)
    {
        var reply = new byte[12];
        reply[0] = status;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(4), faultAddress);
        return reply;
    }
}

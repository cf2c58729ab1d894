using System.Text;

using ProdFlash.Probes.Gdb;

namespace ProdFlash.Probes.Tests.Gdb;

/// <summary>Framing, checksums, escapes and run-length decoding against frames QEMU 7.2 and the GDB manual show.</summary>
public sealed class GdbPacketTests
{
    [Theory]
    [InlineData("OK", "$OK#9a")] // QEMU 7.2 reply to M
    [InlineData("", "$#00")] // QEMU 7.2 reply to an unsupported packet
    [InlineData("T05thread:p01.01;", "$T05thread:p01.01;#06")] // QEMU 7.2 reply to '?'
    [InlineData("E14", "$E14#aa")] // QEMU 7.2 reply to m at an unmapped address
    [InlineData("vCont;c;C;s;S", "$vCont;c;C;s;S#62")] // QEMU 7.2 reply to vCont?
    public void Frame_RecordedPackets_ByteExact(string payload, string frame)
    {
        var framed = GdbPacket.Frame(payload);

        Assert.Equal(frame, Encoding.ASCII.GetString(framed));
    }

    [Fact]
    public void Frame_TextWithEscapableCharacter_Throws()
    {
        Assert.Throws<ArgumentException>(() => GdbPacket.Frame("X0,1:#"));
    }

    [Fact]
    public void AppendEscaped_DollarHashBraceStar_EscapedXor20()
    {
        var output = new List<byte>();

        GdbPacket.AppendEscaped(output, [0x24, 0x23, 0x7D, 0x2A, 0x41]);

        Assert.Equal(new byte[] { 0x7D, 0x04, 0x7D, 0x03, 0x7D, 0x5D, 0x7D, 0x0A, 0x41 }, output);
        Assert.Equal(9, GdbPacket.EscapedLength([0x24, 0x23, 0x7D, 0x2A, 0x41]));
    }

    [Fact]
    public void Decode_EscapedBytes_Restored()
    {
        var decoded = GdbPacket.Decode([0x7D, 0x04, 0x7D, 0x03, 0x7D, 0x5D, 0x7D, 0x0A, 0x41]);

        Assert.Equal(new byte[] { 0x24, 0x23, 0x7D, 0x2A, 0x41 }, decoded);
    }

    [Theory]
    [InlineData("0* ", "0000")] // GDB manual, "Overview": "0* " means "0000"
    [InlineData("0*\"12", "00000012")] // ' "'=34 → five more zeros
    [InlineData("ab*#c", "abbbbbbbc")] // '#'=35 → six more
    [InlineData("x*}", "x" + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")] // '}'=125 → 96 more
    public void Decode_RunLength_Expanded(string raw, string expanded)
    {
        var decoded = GdbPacket.Decode(Encoding.Latin1.GetBytes(raw));

        Assert.Equal(expanded, Encoding.Latin1.GetString(decoded));
    }

    [Theory]
    [InlineData("*a")]
    [InlineData("a*")]
    [InlineData("a}")]
    [InlineData("a*\x10")]
    public void Decode_Malformed_Throws(string raw)
    {
        Assert.Throws<FormatException>(() => GdbPacket.Decode(Encoding.Latin1.GetBytes(raw)));
    }

    [Fact]
    public void Checksum_SumModulo256()
    {
        Assert.Equal(0x5E, GdbPacket.Checksum(Encoding.ASCII.GetBytes(Client.SupportedRequest)));
    }

    [Fact]
    public void FromHex_OddLength_Throws()
    {
        Assert.Throws<FormatException>(() => GdbPacket.FromHex("abc"));
        Assert.Equal(new byte[] { 0xDE, 0xAD }, GdbPacket.FromHex("dEAd"));
    }

    private static class Client
    {
        public const string SupportedRequest = ProdFlash.Probes.Gdb.GdbClient.SupportedRequest;
    }
}

using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

using ProdFlash.Core.Serialization;
using ProdFlash.Testing;

namespace ProdFlash.Core.Tests.Serialization;

public sealed class Crc32Tests
{
    [Fact]
    public void Compute_CheckString123456789_IsCbf43926()
    {
        // The CRC-32/ISO-HDLC check value (IEEE 802.3, zlib crc32).
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
    }

    [Fact]
    public void Compute_Empty_IsZero()
    {
        Assert.Equal(0u, Crc32.Compute([]));
    }

    [Fact]
    public void Append_InPieces_EqualsWhole()
    {
        var data = Encoding.ASCII.GetBytes("The quick brown fox jumps over the lazy dog");

        var register = Crc32.Append(0xFFFFFFFF, data.AsSpan(0, 10));
        register = Crc32.Append(register, data.AsSpan(10));

        Assert.Equal(0x414FA339u, ~register);
        Assert.Equal(0x414FA339u, Crc32.Compute(data));
    }

    [Fact]
    public async Task Compute_RandomData_MatchesGzipTrailer()
    {
        // Arrange: gzip (RFC 1952 §2.3.1) ends with CRC32 of the uncompressed data, little-endian, then ISIZE.
        var gzip = ExternalTool.Require("gzip", "gzip");
        using var temp = new TempDirectory();
        var data = new byte[100_003];
        new Random(4711).NextBytes(data);
        var path = Path.Combine(temp.Path, "data.bin");
        await File.WriteAllBytesAsync(path, data, TestContext.Current.CancellationToken);

        // Act
        var result = await ExternalTool.RunAsync(gzip, ["-k", "-n", path], TimeSpan.FromSeconds(30));
        var compressed = await File.ReadAllBytesAsync(path + ".gz", TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(compressed.AsSpan(compressed.Length - 8)), Crc32.Compute(data));
    }

    [Fact]
    public void Compute_RandomData_MatchesDotnetGzipStreamTrailer()
    {
        var data = new byte[4099];
        new Random(17).NextBytes(data);
        using var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(data);
        }

        var compressed = buffer.ToArray();

        Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(compressed.AsSpan(compressed.Length - 8)), Crc32.Compute(data));
    }
}

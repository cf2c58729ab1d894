using System.Buffers.Binary;
using System.Globalization;

using CsCheck;

using ProdFlash.Core.Serialization;

namespace ProdFlash.Core.Tests.Serialization;

public sealed class SerialPropertyTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Render_AnySequence_IntegerFieldsReadBackWithBinaryPrimitives()
    {
        var layout = new SerialLayout([new IntegerField(8, Endianness.Little), new IntegerField(8, Endianness.Big)]);
        var scheme = new SerialScheme(SerialTemplate.Parse("{seq}"), layout, 0x08000000, start: 0);

        Gen.ULong.Sample(sequence =>
        {
            var bytes = scheme.Render(sequence, s_now).Bytes.Span;

            Assert.Equal(sequence, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
            Assert.Equal(sequence, BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
        });
    }

    [Fact]
    public void Render_AnySequenceBelow10Pow16_BcdNibblesSpellTheDecimalDigits()
    {
        var scheme = new SerialScheme(SerialTemplate.Parse("{seq:0000000000000000}"), new SerialLayout([new BcdField(8)]), 0x08000000, start: 0);

        Gen.ULong[0, 9_999_999_999_999_999].Sample(sequence =>
        {
            var record = scheme.Render(sequence, s_now);

            Assert.Equal(record.Text, Convert.ToHexString(record.Bytes.Span));
            Assert.Equal(sequence.ToString("D16", CultureInfo.InvariantCulture), record.Text);
        });
    }

    [Fact]
    public void Render_AnyPackedLayout_CrcFieldIsCrcOfEveryByteBeforeIt()
    {
        // Arrange: random prefix of constant bytes and a gap, then the CRC.
        Gen.Select(Gen.Byte.Array[1, 64], Gen.Int[0, 16], Gen.Byte).Sample((prefix, gap, fill) =>
        {
            var layout = new SerialLayout([new ConstantField(prefix), new Crc32Field(offset: prefix.Length + gap)], length: prefix.Length + gap + 8, fill);
            var scheme = new SerialScheme(SerialTemplate.Parse("{seq}"), layout, 0x08000000);

            // Act
            var bytes = scheme.Render(1, s_now).Bytes.ToArray();

            // Assert
            var crcAt = prefix.Length + gap;
            Assert.Equal(Crc32.Compute(bytes.AsSpan(0, crcAt)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(crcAt)));
            Assert.All(bytes[prefix.Length..crcAt].Concat(bytes[(crcAt + 4)..]), b => Assert.Equal(fill, b));
        });
    }
}

using ProdFlash.Core.Serialization;

namespace ProdFlash.Core.Tests.Serialization;

public sealed class SerialSchemeTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private static SerialScheme Scheme(SerialField field, string template = "{seq}") =>
        new(SerialTemplate.Parse(template), new SerialLayout([field]), 0x0800FC00, start: 0);

    private static byte[] Render(SerialField field, ulong sequence, string template = "{seq}") => Scheme(field, template).Render(sequence, s_now).Bytes.ToArray();

    [Theory]
    [InlineData(1, Endianness.Little, 0xABUL, new byte[] { 0xAB })]
    [InlineData(2, Endianness.Little, 0x0102UL, new byte[] { 0x02, 0x01 })]
    [InlineData(2, Endianness.Big, 0x0102UL, new byte[] { 0x01, 0x02 })]
    [InlineData(4, Endianness.Little, 0x12345678UL, new byte[] { 0x78, 0x56, 0x34, 0x12 })]
    [InlineData(4, Endianness.Big, 0x12345678UL, new byte[] { 0x12, 0x34, 0x56, 0x78 })]
    [InlineData(8, Endianness.Little, 0x0102030405060708UL, new byte[] { 8, 7, 6, 5, 4, 3, 2, 1 })]
    [InlineData(8, Endianness.Big, 0x0102030405060708UL, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 })]
    public void Render_IntegerField_WritesDocumentedBytes(int size, Endianness endianness, ulong sequence, byte[] expected)
    {
        Assert.Equal(expected, Render(new IntegerField(size, endianness), sequence));
    }

    [Theory]
    [InlineData(1, 256UL, "maximum 255")]
    [InlineData(2, 65536UL, "maximum 65535")]
    [InlineData(4, 0x1_0000_0000UL, "maximum 4294967295")]
    public void Render_IntegerTooBig_ThrowsNamingMaximum(int size, ulong sequence, string maximum)
    {
        var error = Assert.Throws<SerialValueException>(() => Render(new IntegerField(size), sequence));

        Assert.Contains(maximum, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, 9999UL, new byte[] { 0x99, 0x99 })]
    [InlineData(4, 12345678UL, new byte[] { 0x12, 0x34, 0x56, 0x78 })]
    [InlineData(3, 42UL, new byte[] { 0x00, 0x00, 0x42 })]
    public void Render_BcdField_PacksTwoDigitsPerByteMostSignificantFirst(int size, ulong sequence, byte[] expected)
    {
        Assert.Equal(expected, Render(new BcdField(size), sequence));
    }

    [Fact]
    public void Render_BcdTooManyDigits_Throws()
    {
        Assert.Throws<SerialValueException>(() => Render(new BcdField(2), 10000));
    }

    [Fact]
    public void Render_AsciiPadded_FillsWithPaddingByte()
    {
        var bytes = Render(new AsciiField(10, AsciiTermination.Padded, padding: 0x20), 42, "PF{seq:000000}");

        Assert.Equal("PF000042  "u8.ToArray(), bytes);
    }

    [Fact]
    public void Render_AsciiPaddedExactLength_HasNoPadding()
    {
        Assert.Equal("PF000042"u8.ToArray(), Render(new AsciiField(8), 42, "PF{seq:000000}"));
    }

    [Fact]
    public void Render_AsciiNulTerminated_WritesNulThenPadding()
    {
        var bytes = Render(new AsciiField(10, AsciiTermination.NulTerminated, padding: 0xFF), 42, "PF{seq:000000}");

        Assert.Equal(new byte[] { 0x50, 0x46, 0x30, 0x30, 0x30, 0x30, 0x34, 0x32, 0x00, 0xFF }, bytes);
    }

    [Fact]
    public void Render_AsciiNulTerminatedWithoutRoomForNul_Throws()
    {
        var error = Assert.Throws<SerialValueException>(() => Render(new AsciiField(8, AsciiTermination.NulTerminated), 42, "PF{seq:000000}"));

        Assert.Equal("Serial text \"PF000042\" is 8 characters but the field (ASCII 8 bytes, NUL-terminated with 0x00) holds 7; lengthen the field or shorten the template.", error.Message);
    }

    [Fact]
    public void Render_AsciiOwnTemplateWithNonAsciiStation_Throws()
    {
        var scheme = Scheme(new AsciiField(16, template: SerialTemplate.Parse("{station}")));

        var error = Assert.Throws<SerialValueException>(() => scheme.Render(1, s_now, "Zürich"));

        Assert.Contains("U+00FC at position 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_MacField_IsBasePlusSequenceOffsetInTransmissionOrder()
    {
        var mac = new MacAddressField(0x0080E1000000, blockSize: 100, firstSequence: 1);

        var record = Scheme(mac).Render(42, s_now);

        Assert.Equal(new byte[] { 0x00, 0x80, 0xE1, 0x00, 0x00, 0x29 }, record.Bytes.ToArray());
        Assert.Equal("00:80:E1:00:00:29", record.MacAddress);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(101UL)]
    public void Render_MacOutsideBlock_ThrowsMacBlockExhausted(ulong sequence)
    {
        var mac = new MacAddressField(0x0080E1000000, blockSize: 100, firstSequence: 1);

        var error = Assert.Throws<MacBlockExhaustedException>(() => Render(mac, sequence));

        Assert.Contains("block 00:80:E1:00:00:00..00:80:E1:00:00:63 serves sequences 1 to 100", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_LastMacOfBlock_IsAllowed()
    {
        var mac = new MacAddressField(0x0080E1000000, blockSize: 100, firstSequence: 1);

        Assert.Equal(new byte[] { 0x00, 0x80, 0xE1, 0x00, 0x00, 0x63 }, Render(mac, 100));
    }

    [Fact]
    public void MacAddressField_BlockPast48Bits_Throws()
    {
        Assert.Throws<SerialSchemeException>(() => new MacAddressField(0xFFFF_FFFF_FFF0, blockSize: 17, firstSequence: 1));
    }

    [Fact]
    public void Render_FullLayout_GivesHandWrittenBytesWithCrcOfRecordSoFar()
    {
        // Arrange: ASCII 10 NUL-terminated | uint32 LE | BCD 3 | MAC | gap | CRC-32 at 24 | tail to 32.
        var layout = new SerialLayout(
            [
                new AsciiField(10, AsciiTermination.NulTerminated),
                new IntegerField(4, Endianness.Little),
                new BcdField(3),
                new MacAddressField(0x0080E1000000, 100, 1),
                new Crc32Field(offset: 24),
            ],
            length: 32);
        var scheme = new SerialScheme(SerialTemplate.Parse("PF{seq:000000}"), layout, 0x0800FC00);

        // Act
        var record = scheme.Render(42, s_now);

        // Assert: CRC-32 of bytes 0..23 is 0xA3E69808 (cross-checked with Python zlib.crc32 when this test was written).
        byte[] expected =
        [
            0x50, 0x46, 0x30, 0x30, 0x30, 0x30, 0x34, 0x32, 0x00, 0x00, // "PF000042" NUL, pad 0x00
            0x2A, 0x00, 0x00, 0x00,                                     // 42 uint32 LE
            0x00, 0x00, 0x42,                                           // BCD 000042
            0x00, 0x80, 0xE1, 0x00, 0x00, 0x29,                         // MAC base + 41
            0xFF,                                                       // gap, erased flash
            0x08, 0x98, 0xE6, 0xA3,                                     // CRC-32 LE
            0xFF, 0xFF, 0xFF, 0xFF,                                     // tail
        ];
        Assert.Equal(expected, record.Bytes.ToArray());
        Assert.Equal(0xA3E69808u, Crc32.Compute(expected.AsSpan(0, 24)));
        Assert.Equal("PF000042", record.Text);
        Assert.Equal(0x0800FC00u, record.Address);
        Assert.Equal(42UL, record.Sequence);
    }

    [Fact]
    public void Render_ConstantMagicThenPackedFields_FollowEachOther()
    {
        var layout = new SerialLayout([new ConstantField([0xCA, 0xFE]), new IntegerField(2, Endianness.Big)]);
        var scheme = new SerialScheme(SerialTemplate.Parse("{seq}"), layout, 0x08000000);

        Assert.Equal(new byte[] { 0xCA, 0xFE, 0x00, 0x07 }, scheme.Render(7, s_now).Bytes.ToArray());
        Assert.Equal(4, layout.Length);
    }

    [Fact]
    public void SerialLayout_OverlappingFields_Throws()
    {
        var error = Assert.Throws<SerialSchemeException>(() => new SerialLayout([new IntegerField(4), new IntegerField(2, offset: 2)]));

        Assert.Equal("Serial record fields overlap: uint32 little-endian at bytes 0..3 and uint16 little-endian at 2..3.", error.Message);
    }

    [Fact]
    public void SerialLayout_LengthShorterThanFields_Throws()
    {
        var error = Assert.Throws<SerialSchemeException>(() => new SerialLayout([new IntegerField(8)], length: 6));

        Assert.Equal("Serial record length 6 is too short: the fields end at byte 8.", error.Message);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(0)]
    public void IntegerField_BadSize_Throws(int size)
    {
        Assert.Throws<SerialSchemeException>(() => new IntegerField(size));
    }

    [Fact]
    public void Render_SequenceNotInSeries_Throws()
    {
        var scheme = new SerialScheme(SerialTemplate.Parse("{seq}"), new SerialLayout([new IntegerField(4)]), 0x08000000, start: 100, step: 10);

        var error = Assert.Throws<SerialValueException>(() => scheme.Render(105, s_now));

        Assert.Equal("Sequence 105 is not in this scheme's series (start 100, step 10).", error.Message);
        Assert.Equal(100UL, scheme.Next(null));
        Assert.Equal(110UL, scheme.Next(100));
        Assert.True(scheme.Contains(120));
        Assert.False(scheme.Contains(90));
    }

    [Fact]
    public void Next_PastUInt64_Throws()
    {
        var scheme = new SerialScheme(SerialTemplate.Parse("{seq}"), new SerialLayout([new IntegerField(8)]), 0x08000000, start: 1, step: 2);

        Assert.Throws<SerialValueException>(() => scheme.Next(ulong.MaxValue));
    }

    [Fact]
    public void SerialScheme_RecordPast32BitSpace_Throws()
    {
        Assert.Throws<SerialSchemeException>(() => new SerialScheme(SerialTemplate.Parse("{seq}"), new SerialLayout([new IntegerField(8)]), 0xFFFFFFFC));
    }
}

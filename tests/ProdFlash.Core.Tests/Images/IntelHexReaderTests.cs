using System.Buffers.Binary;

using ProdFlash.Core.Images;

namespace ProdFlash.Core.Tests.Images;

public class IntelHexReaderTests
{
    [Fact]
    public void Read_DataWithExtendedLinearAddress_PlacesBytesAtUpperBitsPlusOffset()
    {
        // Arrange: ELA 0x0800 then 4 bytes at offset 0x0010 (checksums computed by hand: two's complement of the sum).
        const string Text = ":020000040800F2\n:0400100001020304E2\n:00000001FF\n";

        // Act
        var image = ImageText.ReadHex(Text);

        // Assert
        var segment = Assert.Single(image.Segments);
        Assert.Equal(0x0800_0010u, segment.Address);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, segment.Data.ToArray());
        Assert.Null(image.EntryPoint);
    }

    [Fact]
    public void Read_ExtendedSegmentAddress_MultipliesBySixteen()
    {
        // USBA 0x1234 -> base 0x12340; data at offset 0x0002.
        var image = ImageText.ReadHex(":020000021234B6\n:01000200AA53\n:00000001FF\n");

        Assert.Equal(0x0001_2342u, Assert.Single(image.Segments).Address);
    }

    [Fact]
    public void Read_SegmentRecordCrossingSegmentEnd_WrapsToSegmentStart()
    {
        // Intel spec: in segment mode the offset wraps modulo 64K; 4 bytes at offset 0xFFFE of segment 0x1000.
        var image = ImageText.ReadHex(":020000021000EC\n:04FFFE001122334455\n:00000001FF\n");

        Assert.Equal(2, image.Segments.Count);
        Assert.Equal(0x0001_0000u, image.Segments[0].Address);
        Assert.Equal(new byte[] { 0x33, 0x44 }, image.Segments[0].Data.ToArray());
        Assert.Equal(0x0001_FFFEu, image.Segments[1].Address);
        Assert.Equal(new byte[] { 0x11, 0x22 }, image.Segments[1].Data.ToArray());
    }

    [Fact]
    public void Read_LinearRecordCrossing64KiB_ContinuesIntoNextBlock()
    {
        var image = ImageText.ReadHex(":020000040001F9\n:04FFFE001122334455\n:00000001FF\n");

        var segment = Assert.Single(image.Segments);
        Assert.Equal(0x0001_FFFEu, segment.Address);
        Assert.Equal(4, segment.Length);
    }

    [Fact]
    public void Read_StartLinearAddress_SetsEntryPoint()
    {
        var image = ImageText.ReadHex(":0100000055AA\n:04000005080000C12E\n:00000001FF\n");

        Assert.Equal(0x0800_00C1u, image.EntryPoint);
    }

    [Fact]
    public void Read_StartSegmentAddress_EntryIsCsTimesSixteenPlusIp()
    {
        // CS = 0x1000, IP = 0x0020 -> 0x10020.
        var image = ImageText.ReadHex(":0100000055AA\n:0400000310000020C9\n:00000001FF\n");

        Assert.Equal(0x0001_0020u, image.EntryPoint);
    }

    [Fact]
    public void Read_LowerCaseCrlfAndBlankTrailingLines_Accepted()
    {
        var image = ImageText.ReadHex(":020000040800f2\r\n:0400100001020304e2\r\n:00000001ff\r\n\r\n  \r\n\n");

        Assert.Equal(0x0800_0010u, image.StartAddress);
        Assert.Equal(4, image.TotalBytes);
    }

    [Fact]
    public void Read_IdenticalDuplicateRecord_Accepted()
    {
        var image = ImageText.ReadHex(":0400100001020304E2\n:0400100001020304E2\n:020011000203E8\n:00000001FF\n");

        Assert.Equal(4, image.TotalBytes);
    }

    [Fact]
    public void Read_SampleFirmwareHex_EqualsSampleBinaryAtFlashBase()
    {
        var hex = ImageReader.ReadFile(Path.Combine(ImageText.SampleFolder, "blue-pill-f103c8.hex"));
        var bin = ImageReader.ReadFile(Path.Combine(ImageText.SampleFolder, "blue-pill-f103c8.bin"), baseAddress: 0x0800_0000);

        Assert.Equal(0x0800_0000u, hex.StartAddress);
        Assert.Equal(bin.Sha256, hex.Sha256);
        Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(bin.Segments[0].Data.Span[4..]), hex.EntryPoint);
    }

    [Fact]
    public void Read_BadChecksum_NamesLineAndBothValues()
    {
        var error = ImageText.HexError(":020000040800F2\n:0400100001020304E3\n:00000001FF\n");

        Assert.Equal(2, error.Line);
        Assert.Equal("firmware.hex", error.FileName);
        Assert.Equal("firmware.hex line 2: checksum is 0xE3 but the record's bytes give 0xE2; the file is corrupted, re-export it", error.Message);
    }

    [Fact]
    public void Read_LengthByteDisagreesWithRecord_NamesLine()
    {
        var error = ImageText.HexError(":0100000055AA\n:0500100001020304E1\n:00000001FF\n");

        Assert.Equal(2, error.Line);
        Assert.Contains("length byte says 5 data bytes but the record holds 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OddNumberOfDigits_NamesLine()
    {
        var error = ImageText.HexError(":0100000055AA\n:0400100001020304E\n:00000001FF\n");

        Assert.Equal(2, error.Line);
        Assert.Contains("odd number of hex digits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NonHexCharacter_NamesLineAndColumn()
    {
        var error = ImageText.HexError(":0100000055AA\n:04001000010G0304E2\n:00000001FF\n");

        Assert.Equal(2, error.Line);
        Assert.Contains("'G' at column 13 is not a hex digit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownRecordType_NamesTypeAndLine()
    {
        var error = ImageText.HexError(":0100000055AA\n:00000006FA\n:00000001FF\n");

        Assert.Equal(2, error.Line);
        Assert.Contains("record type 0x06", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingEndOfFileRecord_ReportsTruncation()
    {
        var error = ImageText.HexError(":020000040800F2\n:0400100001020304E2\n");

        Assert.Equal(2, error.Line);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RecordAfterEndOfFile_IsAnError()
    {
        var error = ImageText.HexError(":0100000055AA\n:00000001FF\n:0100000055AA\n:00000001FF\n");

        Assert.Equal(3, error.Line);
        Assert.Contains("after the end-of-file record", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedRecord_NamesLine()
    {
        var error = ImageText.HexError(":0100000055AA\n:04001000010203");

        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void Read_ConflictingOverlap_NamesLineAndAddress()
    {
        var error = ImageText.HexError(":020000040800F2\n:0400100001020304E2\n:0200120003FFEA\n:00000001FF\n");

        Assert.Equal(3, error.Line);
        Assert.Contains("different data at 0x08000013", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LinearAddressOverflowPast4GiB_NamesLine()
    {
        // ELA 0xFFFF, 4 bytes at offset 0xFFFE: 0xFFFFFFFE + 4 > 2^32.
        var error = ImageText.HexError(":02000004FFFFFC\n:04FFFE001122334455\n:00000001FF\n");

        Assert.Equal(2, error.Line);
        Assert.Contains("past the 4 GiB address space", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DataEndingExactlyAt4GiB_Accepted()
    {
        var image = ImageText.ReadHex(":02000004FFFFFC\n:02FFFE001122CE\n:00000001FF\n");

        Assert.Equal(1UL << 32, image.EndAddress);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\r\n  \n")]
    public void Read_EmptyFile_IsAnError(string text)
    {
        var error = ImageText.HexError(text);

        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OnlyEndOfFileRecord_ReportsNothingToProgram()
    {
        var error = ImageText.HexError(":00000001FF\n");

        Assert.Contains("no data records", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LineWithoutColon_NamesLine()
    {
        var error = ImageText.HexError(":0100000055AA\nS1130000\n:00000001FF\n");

        Assert.Equal(2, error.Line);
        Assert.Contains("must start with ':'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ConflictingStartAddresses_IsAnError()
    {
        var error = ImageText.HexError(":0100000055AA\n:04000005080000C12E\n:04000005080000C52A\n:00000001FF\n");

        Assert.Equal(3, error.Line);
    }

    [Theory]
    [InlineData(":0100000155A9", "end-of-file record must hold 0")]
    [InlineData(":0300000408000AE7", "extended linear address record must hold 2")]
    [InlineData(":0100000208F5", "extended segment address record must hold 2")]
    [InlineData(":020000050800F1", "start linear address record must hold 4")]
    public void Read_SpecialRecordWithWrongLength_NamesLine(string record, string expected)
    {
        var error = ImageText.HexError(":0100000055AA\n" + record + "\n:00000001FF\n");

        Assert.Equal(2, error.Line);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}

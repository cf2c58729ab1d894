using ProdFlash.Core.Images;

namespace ProdFlash.Core.Tests.Images;

public class SRecordReaderTests
{
    // srec(5) example records; checksums are the ones' complement of the low byte of count+address+data.
    [Fact]
    public void Read_S1S5S9_PlacesDataAndChecksCount()
    {
        var image = ImageText.ReadSRecord("S00600004844521B\nS107001001020304DE\nS5030001FB\nS9030000FC\n");

        var segment = Assert.Single(image.Segments);
        Assert.Equal(0x0010u, segment.Address);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, segment.Data.ToArray());
        Assert.Null(image.EntryPoint);
    }

    [Fact]
    public void Read_S2WithS8_Uses24BitAddressAndEntry()
    {
        var image = ImageText.ReadSRecord("S2080123450102030484\nS80401234592\n");

        Assert.Equal(0x01_2345u, image.StartAddress);
        Assert.Equal(0x01_2345u, image.EntryPoint);
    }

    [Fact]
    public void Read_S3WithS7_Uses32BitAddressAndEntry()
    {
        var image = ImageText.ReadSRecord("S3090800001001020304D4\nS705080000C131\n");

        Assert.Equal(0x0800_0010u, image.StartAddress);
        Assert.Equal(0x0800_00C1u, image.EntryPoint);
    }

    [Fact]
    public void Read_LowerCaseDigitsAndCrlf_Accepted()
    {
        var image = ImageText.ReadSRecord("S3090800001001020304d4\r\nS705080000c131\r\n\r\n");

        Assert.Equal(4, image.TotalBytes);
    }

    [Fact]
    public void Read_CountRecordMismatch_NamesLine()
    {
        var error = ImageText.SRecordError("S107001001020304DE\nS5030002FA\nS9030000FC\n");

        Assert.Equal(2, error.Line);
        Assert.Contains("says 2 data records but 1 came before it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BadChecksum_NamesLineAndValues()
    {
        var error = ImageText.SRecordError("S107001001020304DF\nS9030000FC\n");

        Assert.Equal("firmware.srec line 1: checksum is 0xDF but the record's bytes give 0xDE; the file is corrupted, re-export it", error.Message);
    }

    [Fact]
    public void Read_CountByteDisagrees_NamesLine()
    {
        var error = ImageText.SRecordError("S00600004844521B\nS108001001020304DE\nS9030000FC\n");

        Assert.Equal(2, error.Line);
        Assert.Contains("count byte says 8 bytes follow but the record holds 7", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("S4070010010203049E")]
    [InlineData("SX07001001020304DE")]
    [InlineData("S")]
    public void Read_UnknownRecordType_NamesLine(string record)
    {
        var error = ImageText.SRecordError("S00600004844521B\n" + record + "\nS9030000FC\n");

        Assert.Equal(2, error.Line);
        Assert.Contains("record type", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OddDigits_NamesLine()
    {
        var error = ImageText.SRecordError("S107001001020304D\nS9030000FC\n");

        Assert.Equal(1, error.Line);
        Assert.Contains("odd number of hex digits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EndsAfterDataRecord_ReportsTruncation()
    {
        var error = ImageText.SRecordError("S00600004844521B\nS107001001020304DE\n");

        Assert.Equal(2, error.Line);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EndsWithCountRecordAndNoTermination_AcceptedAsSrecCatWritesIt()
    {
        var image = ImageText.ReadSRecord("S00600004844521B\nS107001001020304DE\nS5030001FB\n");

        Assert.Equal(4, image.TotalBytes);
        Assert.Null(image.EntryPoint);
    }

    [Fact]
    public void Read_RecordAfterTermination_IsAnError()
    {
        var error = ImageText.SRecordError("S107001001020304DE\nS9030000FC\nS107001001020304DE\n");

        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void Read_AddressOverflowPast4GiB_NamesLine()
    {
        var error = ImageText.SRecordError("S309FFFFFFFE01020304F1\nS70500000000FA\n");

        Assert.Equal(1, error.Line);
        Assert.Contains("past the 4 GiB address space", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ConflictingOverlap_NamesLineAndAddress()
    {
        var error = ImageText.SRecordError("S107001001020304DE\nS1050012AAFF3F\nS9030000FC\n");

        Assert.Equal(2, error.Line);
        Assert.Contains("different data at 0x00000012", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EmptyFile_IsAnError()
    {
        var error = ImageText.SRecordError(string.Empty);

        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HeaderAndTerminationOnly_ReportsNothingToProgram()
    {
        var error = ImageText.SRecordError("S00600004844521B\nS9030000FC\n");

        Assert.Contains("no data records", error.Message, StringComparison.Ordinal);
    }
}

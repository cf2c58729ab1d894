using ProdFlash.Core.Probes;

namespace ProdFlash.Emulator.Tests.Driver;

/// <summary>The selector forms of DESIGN.md §4 and the errors for malformed ones.</summary>
public sealed class ProbeSelectorTests
{
    [Fact]
    public void Parse_UsbSerialLowerCase_KindAndUpperCaseSerial()
    {
        var selector = ProbeSelector.Parse("stlink://usb/066dff485153495167173834");

        Assert.Equal(ProbeSelectorKind.StLinkUsbSerial, selector.Kind);
        Assert.Equal("stlink", selector.Scheme);
        Assert.Equal("066DFF485153495167173834", selector.Serial);
        Assert.Equal("stlink://usb/066DFF485153495167173834", selector.ToString());
    }

    [Fact]
    public void Parse_UsbPortPath_PortPath()
    {
        var selector = ProbeSelector.Parse("stlink://usb?port=1-4.2");

        Assert.Equal(ProbeSelectorKind.StLinkUsbPort, selector.Kind);
        Assert.Equal("1-4.2", selector.PortPath);
        Assert.Null(selector.Serial);
    }

    [Fact]
    public void Parse_TcpWithSerial_HostPortSerial()
    {
        var selector = ProbeSelector.Parse("stlink://tcp/127.0.0.1:7184/066DFF485153495167173834");

        Assert.Equal(ProbeSelectorKind.StLinkTcp, selector.Kind);
        Assert.Equal("127.0.0.1", selector.Host);
        Assert.Equal(7184, selector.Port);
        Assert.Equal("066DFF485153495167173834", selector.Serial);
    }

    [Fact]
    public void Parse_TcpWithoutSerial_SerialNullMeaningFirstProbe()
    {
        var selector = ProbeSelector.Parse("stlink://tcp/localhost:7184");

        Assert.Equal("localhost", selector.Host);
        Assert.Null(selector.Serial);
        Assert.Equal("stlink://tcp/localhost:7184", selector.ToString());
    }

    [Fact]
    public void Parse_TcpIpv6_HostWithoutBrackets()
    {
        var selector = ProbeSelector.Parse("stlink://tcp/[::1]:7184/066DFF485153495167173834");

        Assert.Equal("::1", selector.Host);
        Assert.Equal(7184, selector.Port);
        Assert.Equal("stlink://tcp/[::1]:7184/066DFF485153495167173834", selector.ToString());
    }

    [Fact]
    public void Parse_Gdb_HostAndPort()
    {
        var selector = ProbeSelector.Parse("gdb://127.0.0.1:3333");

        Assert.Equal(ProbeSelectorKind.Gdb, selector.Kind);
        Assert.Equal("127.0.0.1", selector.Host);
        Assert.Equal(3333, selector.Port);
    }

    [Fact]
    public void Parse_EmulatorWithParameters_ChipAndParametersInOrder()
    {
        var selector = ProbeSelector.Parse("EMULATOR://STM32F103C8?probe=v3j9&faults=no-vcc,flaky-wait:0.05");

        Assert.Equal(ProbeSelectorKind.Emulator, selector.Kind);
        Assert.Equal("stm32f103c8", selector.Chip);
        Assert.Equal(new KeyValuePair<string, string>[] { new("probe", "v3j9"), new("faults", "no-vcc,flaky-wait:0.05") }, selector.Parameters);
        Assert.Equal("emulator://stm32f103c8?probe=v3j9&faults=no-vcc,flaky-wait:0.05", selector.ToString());
    }

    [Theory]
    [InlineData("stlink://usb/066DFF485153495167173834")]
    [InlineData("stlink://usb?port=3-1.4.2")]
    [InlineData("stlink://tcp/10.0.0.7:7184")]
    [InlineData("gdb://bmp.local:2000")]
    [InlineData("emulator://stm32f103c8?probe=clone&faults=wrp:0-3%2B8")]
    public void ToString_Parsed_ParsesBackEqual(string text)
    {
        var selector = ProbeSelector.Parse(text);

        var again = ProbeSelector.Parse(selector.ToString());

        Assert.Equal(selector, again);
        Assert.Equal(selector.GetHashCode(), again.GetHashCode());
    }

    [Fact]
    public void Parse_ShortSerial_SaysSerialIs24HexCharacters()
    {
        var error = Assert.Throws<ProbeSelectorException>(() => ProbeSelector.Parse("stlink://usb/12"));

        Assert.StartsWith("'stlink://usb/12' is not a probe selector: an ST-LINK serial is 24 hex characters ('12' has 2)", error.Message, StringComparison.Ordinal);
        Assert.Contains("stlink://usb?port=", error.Message, StringComparison.Ordinal);
        Assert.Equal("stlink://usb/12", error.Selector);
    }

    [Theory]
    [InlineData("stlink://usb/066DFF48515349516717383G", "is not hex")]
    [InlineData("stlink://usb", "names no probe")]
    [InlineData("stlink://usb?port=14.2", "is not a USB port path")]
    [InlineData("stlink://usb?serial=066DFF485153495167173834", "takes one parameter, 'port'")]
    [InlineData("stlink://usb/066DFF485153495167173834?port=1-4", "not both")]
    [InlineData("stlink://serial/066DFF485153495167173834", "over 'usb' or 'tcp', not 'serial'")]
    [InlineData("stlink://tcp/127.0.0.1", "HOST:PORT with the port")]
    [InlineData("stlink://tcp/127.0.0.1:70000", "'70000' is not a TCP port (1-65535)")]
    [InlineData("stlink://tcp/127.0.0.1:7184/ABC", "24 hex characters ('ABC' has 3)")]
    [InlineData("gdb://127.0.0.1", "HOST:PORT with the port")]
    [InlineData("gdb://:3333", "'' is not a host name")]
    [InlineData("emulator://", "names one chip model")]
    [InlineData("emulator://stm32f103c8?probe=v2j37&probe=v3j9", "gives 'probe' twice")]
    [InlineData("emulator://stm32f103c8?probe", "has no value")]
    [InlineData("jlink://usb/123", "the scheme 'jlink://' is unknown; the schemes are stlink://, gdb://, emulator://")]
    [InlineData("066DFF485153495167173834", "it has no scheme")]
    public void Parse_Malformed_SaysWhatIsWrong(string text, string reason)
    {
        var error = Assert.Throws<ProbeSelectorException>(() => ProbeSelector.Parse(text));

        Assert.StartsWith($"'{text}' is not a probe selector: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Malformed_FalseWithMessage()
    {
        var parsed = ProbeSelector.TryParse("gdb://host", out var selector, out var error);

        Assert.False(parsed);
        Assert.Null(selector);
        Assert.Contains("HOST:PORT", error, StringComparison.Ordinal);
    }
}

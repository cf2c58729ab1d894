using System.Globalization;
using System.Xml;
using System.Xml.Linq;

using ProdFlash.Core.Targets;

namespace ProdFlash.Probes.Gdb;

/// <summary>Parses the XML of <c>qXfer:memory-map:read</c> (GDB manual, "Memory Map Format").</summary>
public static class GdbMemoryMap
{
    /// <summary>Parses a <c>&lt;memory-map&gt;</c> document into regions in address order.</summary>
    /// <exception cref="FormatException">The XML does not parse, or a region lacks its start or length, or a flash region its block size.</exception>
    public static IReadOnlyList<ServerMemoryRegion> Parse(string xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        XDocument document;
        try
        {
            // The DOCTYPE names gdb's memory-map.dtd, which is not fetched.
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null });
            document = XDocument.Load(reader);
        }
        catch (XmlException ex)
        {
            throw new FormatException($"The GDB memory map is not well-formed XML: {ex.Message}", ex);
        }

        if (document.Root?.Name.LocalName != "memory-map")
        {
            throw new FormatException($"The GDB memory map's root element is <{document.Root?.Name.LocalName}>, not <memory-map>.");
        }

        var regions = new List<ServerMemoryRegion>();
        foreach (var memory in document.Root.Elements("memory"))
        {
            var type = (string?)memory.Attribute("type");
            var kind = type switch
            {
                "ram" => ServerMemoryKind.Ram,
                "rom" => ServerMemoryKind.Rom,
                "flash" => ServerMemoryKind.Flash,
                _ => throw new FormatException($"A GDB memory region has type '{type}', not ram, rom or flash."),
            };
            var start = Number(memory, "start");
            var length = Number(memory, "length");
            if (start > uint.MaxValue)
            {
                throw new FormatException($"A GDB memory region starts at 0x{start:X}, beyond 32 bits.");
            }

            uint? blockSize = null;
            var property = memory.Elements("property").FirstOrDefault(p => (string?)p.Attribute("name") == "blocksize");
            if (property is not null)
            {
                blockSize = (uint)ParseNumber(property.Value.Trim(), "blocksize");
            }

            if (kind == ServerMemoryKind.Flash && blockSize is null or 0)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"The GDB flash region at 0x{start:X8} has no blocksize property."));
            }

            regions.Add(new ServerMemoryRegion(kind, (uint)start, length, blockSize));
        }

        return [.. regions.OrderBy(r => r.Start)];
    }

    private static ulong Number(XElement memory, string attribute)
    {
        var text = (string?)memory.Attribute(attribute) ?? throw new FormatException($"A GDB memory region has no '{attribute}' attribute.");
        return ParseNumber(text, attribute);
    }

    // GDB reads these with strtoulst(..., 0): 0x-prefixed hex, or decimal.
    private static ulong ParseNumber(string text, string what)
    {
        var ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        return ok ? value : throw new FormatException($"The GDB memory map's {what} '{text}' is not a number.");
    }
}

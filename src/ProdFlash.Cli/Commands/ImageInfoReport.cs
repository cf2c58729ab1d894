using System.Globalization;
using ProdFlash.Core.Devices;
using ProdFlash.Core.Images;

namespace ProdFlash.Cli.Commands;

/// <summary>What `prodflash image info` reports; serialized as-is for <c>--json</c>.</summary>
internal sealed record ImageInfoReport(
    string File,
    string Format,
    long Bytes,
    string? Start,
    string? End,
    string? EntryPoint,
    string Sha256,
    IReadOnlyList<SegmentReport> Segments,
    DeviceFitReport? Device)
{
    public static ImageInfoReport Create(string path, ImageFormat format, MemoryImage image, DevicePart? part, ImageFit? fit)
    {
        var segments = image.Segments.Select(s => new SegmentReport(Hex(s.Address), Hex((uint)(s.End - 1)), s.Length)).ToList();
        DeviceFitReport? device = null;
        if (part is not null && fit is not null)
        {
            var unitName = EraseUnitName(part.Layout);
            device = new DeviceFitReport(
                part.PartNumber.ToUpperInvariant(),
                part.FlashKiB,
                Hex(part.Layout.Start),
                Hex((uint)(part.Layout.End - 1)),
                fit.Fits,
                fit.Outside.Select(r => new RangeReport(Hex(r.Start), Hex((uint)(r.End - 1)), r.Length)).ToList(),
                unitName,
                fit.Units.Select(u => new EraseUnitReport(u.Number, Hex(u.Address), u.Size, u.Bank)).ToList(),
                fit.EraseBytes);
        }

        return new ImageInfoReport(
            Path.GetFileName(path),
            FormatNames.Display(format),
            image.TotalBytes,
            image.StartAddress is { } start ? Hex(start) : null,
            image.EndAddress is { } end ? Hex((uint)(end - 1)) : null,
            image.EntryPoint is { } entry ? Hex(entry) : null,
            image.Sha256,
            segments,
            device);
    }

    public static void WriteText(ImageInfoReport report, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"File:      {report.File}"));
        output.WriteLine(string.Create(c, $"Format:    {report.Format}"));
        output.WriteLine(string.Create(c, $"Data:      {report.Bytes} bytes in {report.Segments.Count} segment(s)"));
        foreach (var s in report.Segments)
        {
            output.WriteLine(string.Create(c, $"           {s.Start}..{s.End}  {s.Bytes,10} bytes"));
        }

        output.WriteLine(string.Create(c, $"Entry:     {report.EntryPoint ?? "none"}"));
        output.WriteLine(string.Create(c, $"SHA-256:   {report.Sha256}"));
        if (report.Device is not { } d)
        {
            return;
        }

        output.WriteLine(string.Create(c, $"Device:    {d.Part}, {d.FlashKiB} KiB flash at {d.FlashStart}..{d.FlashEnd}"));
        output.WriteLine(d.Fits ? "Fits:      yes" : "Fits:      NO");
        foreach (var r in d.Outside)
        {
            output.WriteLine(string.Create(c, $"           outside flash: {r.Start}..{r.End} ({r.Bytes} bytes)"));
        }

        output.WriteLine(string.Create(c, $"Touches:   {d.Units.Count} {d.EraseUnit}(s), {d.EraseBytes} bytes to erase{Summarize(d.Units)}"));
    }

    private static string Summarize(IReadOnlyList<EraseUnitReport> units)
    {
        if (units.Count == 0)
        {
            return string.Empty;
        }

        // Runs of consecutive numbers per bank: "0-3, 7" reads better than a list of 64 numbers.
        var parts = new List<string>();
        var i = 0;
        while (i < units.Count)
        {
            var j = i;
            while (j + 1 < units.Count && units[j + 1].Bank == units[i].Bank && units[j + 1].Number == units[j].Number + 1)
            {
                j++;
            }

            var bank = units[i].Bank > 1 ? string.Create(CultureInfo.InvariantCulture, $"bank {units[i].Bank} ") : string.Empty;
            parts.Add(i == j
                ? string.Create(CultureInfo.InvariantCulture, $"{bank}{units[i].Number}")
                : string.Create(CultureInfo.InvariantCulture, $"{bank}{units[i].Number}-{units[j].Number}"));
            i = j + 1;
        }

        return ": " + string.Join(", ", parts);
    }

    private static string EraseUnitName(FlashLayout layout) =>
        layout.Regions.Select(r => r.UnitSize).Distinct().Count() == 1 ? "page" : "sector";

    private static string Hex(uint value) => string.Create(CultureInfo.InvariantCulture, $"0x{value:X8}");
}

/// <summary>One segment of the image.</summary>
internal sealed record SegmentReport(string Start, string End, int Bytes);

/// <summary>An address range, inclusive end.</summary>
internal sealed record RangeReport(string Start, string End, long Bytes);

/// <summary>A page or sector the image touches.</summary>
internal sealed record EraseUnitReport(int Number, string Address, uint Bytes, int Bank);

/// <summary>How the image sits on the device's flash.</summary>
internal sealed record DeviceFitReport(
    string Part,
    int FlashKiB,
    string FlashStart,
    string FlashEnd,
    bool Fits,
    IReadOnlyList<RangeReport> Outside,
    string EraseUnit,
    IReadOnlyList<EraseUnitReport> Units,
    long EraseBytes);

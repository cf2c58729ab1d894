using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ProdFlash.Core.Devices;
using ProdFlash.Core.Images;

namespace ProdFlash.Cli.Commands;

/// <summary>`prodflash image info` and `prodflash image convert`.</summary>
internal static class ImageCommands
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Builds the `image` command with its sub-commands.</summary>
    public static Command Create()
    {
        var image = new Command("image", "Inspect and convert firmware images (Intel HEX, S-record, ELF, binary).");
        image.Subcommands.Add(CreateInfo());
        image.Subcommands.Add(CreateConvert());
        return image;
    }

    private static Command CreateInfo()
    {
        var file = new Argument<string>("file") { Description = "The image file (.hex, .srec/.s19/.s28/.s37/.mot, .elf/.axf, .bin)." };
        var baseOption = new Option<string?>("--base") { Description = "Load address of a raw binary, e.g. 0x08000000." };
        var device = new Option<string?>("--device") { Description = "Part number to check the image against, e.g. stm32f103c8." };
        var json = new Option<bool>("--json") { Description = "Write the result as JSON." };
        var command = new Command("info", "Show an image's format, segments, size, SHA-256 and entry point; with --device, whether it fits and which pages or sectors it touches.")
        {
            file, baseOption, device, json,
        };
        command.SetAction(parse => CliErrors.Guard(parse, () =>
        {
            var path = parse.GetRequiredValue(file);
            var baseAddress = ParseBase(parse.GetValue(baseOption));
            var part = FindPart(parse.GetValue(device));
            var format = FormatOf(path, null);
            RequireBaseForBinary(path, format, baseAddress);
            var memory = ImageReader.ReadFile(path, format, baseAddress);
            var fit = part?.Check(memory);
            var report = ImageInfoReport.Create(path, format, memory, part, fit);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(report, s_json));
            }
            else
            {
                ImageInfoReport.WriteText(report, output);
            }

            if (fit is { Fits: false })
            {
                parse.InvocationConfiguration.Error.WriteLine($"{Path.GetFileName(path)} does not fit {part!.PartNumber.ToUpperInvariant()}: {fit.BytesOutside} bytes lie outside its flash.");
                return CliApp.ExitBadInput;
            }

            return CliApp.ExitOk;
        }));
        return command;
    }

    private static Command CreateConvert()
    {
        var input = new Argument<string>("in") { Description = "The image to read." };
        var output = new Argument<string>("out") { Description = "The file to write." };
        var from = new Option<string?>("--from") { Description = "Input format: hex, srec, elf or bin (default: from the extension)." };
        var to = new Option<string?>("--to") { Description = "Output format: hex, srec or bin (default: from the extension)." };
        var baseOption = new Option<string?>("--base") { Description = "Load address of a raw binary input, e.g. 0x08000000." };
        var fill = new Option<string?>("--fill") { Description = "Byte that fills gaps in a binary output (default 0xFF)." };
        var command = new Command("convert", "Convert an image between Intel HEX, S-record, ELF (input only) and binary.")
        {
            input, output, from, to, baseOption, fill,
        };
        command.SetAction(parse => CliErrors.Guard(parse, () =>
        {
            var inPath = parse.GetRequiredValue(input);
            var outPath = parse.GetRequiredValue(output);
            var inFormat = FormatOf(inPath, parse.GetValue(from));
            var outFormat = FormatOf(outPath, parse.GetValue(to));
            if (outFormat == ImageFormat.Elf)
            {
                throw new CliUsageException("ELF is an input format only; write hex, srec or bin.");
            }

            var fillByte = (byte)0xFF;
            var fillText = parse.GetValue(fill);
            if (fillText is not null && !NumberParsing.TryParseByte(fillText, out fillByte))
            {
                throw new CliUsageException($"--fill '{fillText}' is not a byte; give a value from 0 to 255, e.g. 0xFF.");
            }

            var baseAddress = ParseBase(parse.GetValue(baseOption));
            RequireBaseForBinary(inPath, inFormat, baseAddress);
            var memory = ImageReader.ReadFile(inPath, inFormat, baseAddress);
            if (memory.Segments.Count == 0)
            {
                throw new CliInputException($"{Path.GetFileName(inPath)} holds no data; there is nothing to convert.");
            }

            using (var stream = new FileStream(outPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                if (outFormat == ImageFormat.Binary)
                {
                    ImageWriter.WriteBinary(memory, stream, fillByte);
                }
                else
                {
                    ImageWriter.Write(memory, stream, outFormat);
                }
            }

            parse.InvocationConfiguration.Output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"Wrote {outPath}: {FormatNames.Display(outFormat)}, {memory.TotalBytes} bytes in {memory.Segments.Count} segment(s), SHA-256 {memory.Sha256}."));
            return CliApp.ExitOk;
        }));
        return command;
    }

    private static uint? ParseBase(string? text)
    {
        if (text is null)
        {
            return null;
        }

        return NumberParsing.TryParseAddress(text, out var value)
            ? value
            : throw new CliUsageException($"--base '{text}' is not an address; give it in hex or decimal, e.g. 0x08000000.");
    }

    private static DevicePart? FindPart(string? name)
    {
        if (name is null)
        {
            return null;
        }

        return DeviceCatalog.Default.FindPart(name)
            ?? throw new CliInputException($"'{name}' is not a part in the device catalog; use a part number such as stm32f103c8 (see docs/device-catalog.md).");
    }

    private static void RequireBaseForBinary(string path, ImageFormat format, uint? baseAddress)
    {
        if (format == ImageFormat.Binary && baseAddress is null)
        {
            throw new CliUsageException($"{Path.GetFileName(path)} is a raw binary, which holds no addresses; give its load address with --base, e.g. --base 0x08000000.");
        }
    }

    private static ImageFormat FormatOf(string path, string? explicitName)
    {
        if (explicitName is not null)
        {
            return ImageFormats.TryParse(explicitName, out var format)
                ? format
                : throw new CliUsageException($"'{explicitName}' is not an image format; use hex, srec, elf or bin.");
        }

        return ImageFormats.FromExtension(path)
            ?? throw new CliUsageException($"Cannot tell the format of '{Path.GetFileName(path)}' from its extension; name it with --from/--to (hex, srec, elf, bin).");
    }
}

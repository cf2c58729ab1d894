using ProdFlash.Core.Images;

namespace ProdFlash.Cli.Commands;

/// <summary>How the CLI names image formats to a person.</summary>
internal static class FormatNames
{
    /// <summary>"Intel HEX", "Motorola S-record", "ELF (32-bit ARM)", "raw binary".</summary>
    public static string Display(ImageFormat format) => format switch
    {
        ImageFormat.IntelHex => "Intel HEX",
        ImageFormat.SRecord => "Motorola S-record",
        ImageFormat.Elf => "ELF (32-bit ARM)",
        ImageFormat.Binary => "raw binary",
        _ => format.ToString(),
    };
}

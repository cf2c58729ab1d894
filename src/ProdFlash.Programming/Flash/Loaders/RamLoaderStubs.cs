namespace ProdFlash.Programming.Flash.Loaders;

/// <summary>
/// The machine code of the RAM loaders in this folder, assembled from their <c>.S</c> sources and committed, so the station
/// builds with the .NET SDK alone.
/// </summary>
/// <remarks>
/// Regenerate after editing a source (binutils-arm-none-eabi):
/// <c>arm-none-eabi-as -mcpu=cortex-m0 -mthumb -o word_ring_loader.o word_ring_loader.S &amp;&amp;
/// arm-none-eabi-objcopy -O binary word_ring_loader.o word_ring_loader.bin &amp;&amp; xxd -i word_ring_loader.bin</c>.
/// A test re-assembles every source and fails when these bytes differ.
/// </remarks>
internal static class RamLoaderStubs
{
    /// <summary>The source file of <see cref="WordRing"/>, in this folder.</summary>
    public const string WordRingSource = "word_ring_loader.S";

    /// <summary>
    /// The word ring-buffer loader (<see cref="WordRingSource"/>): stores 1 or 2 words per programming unit (F4 x32, G0/L4
    /// double word), waits for BSY, stops on an error flag; ARMv6-M Thumb, position independent.
    /// </summary>
    public static ReadOnlySpan<byte> WordRing =>
    [
        0xB0, 0x46, 0xB9, 0x46, 0x92, 0x46, 0x8B, 0x46, 0x6A, 0x68, 0x00, 0x2C,
        0x1B, 0xD0, 0x29, 0x68, 0x91, 0x42, 0xFC, 0xD0, 0x4F, 0x46, 0x16, 0x68,
        0x1E, 0x60, 0x04, 0x32, 0x04, 0x33, 0x01, 0x3F, 0xF9, 0xD1, 0x06, 0x68,
        0x5F, 0x46, 0x3E, 0x42, 0xFB, 0xD1, 0x57, 0x46, 0x3E, 0x42, 0x06, 0xD1,
        0x42, 0x45, 0x01, 0xD1, 0x2A, 0x46, 0x08, 0x32, 0x6A, 0x60, 0x01, 0x3C,
        0xE5, 0xE7, 0x00, 0x21, 0x69, 0x60, 0x30, 0x46, 0x00, 0xBE, 0x00, 0x20,
        0x00, 0xBE, 0xC0, 0x46,
    ];
}

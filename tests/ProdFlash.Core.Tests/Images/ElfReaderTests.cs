using System.Buffers.Binary;

using ProdFlash.Core.Images;
using ProdFlash.Testing;

namespace ProdFlash.Core.Tests.Images;

public class ElfReaderTests
{
    // A program with initialized .data, .rodata and .bss, linked so .data's load address (LMA) follows .rodata in flash.
    private const string Program = """
        #include <stdint.h>
        extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss;
        volatile uint32_t counter = 0x11223344u;
        volatile uint8_t table[5] = { 1, 2, 3, 4, 5 };
        volatile uint32_t zeroed[3];
        static const char text[] = "rodata-lives-in-flash";
        int main(void);
        void reset(void) {
            uint32_t *s = &_sidata;
            for (uint32_t *d = &_sdata; d < &_edata;) *d++ = *s++;
            for (uint32_t *d = &_sbss; d < &_ebss;) *d++ = 0;
            main();
            for (;;) {}
        }
        __attribute__((section(".vectors"), used)) void (*const vectors[2])(void) = { (void (*)(void))0x20005000u, reset };
        int main(void) { for (;;) { zeroed[counter & 1u] += (uint32_t)text[table[counter % 5u]]; counter++; } }
        """;

    private const string LinkerScript = """
        ENTRY(reset)
        MEMORY { FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 64K  RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 20K }
        SECTIONS {
          .vectors : { KEEP(*(.vectors)) } > FLASH
          .text : { *(.text*) } > FLASH
          .rodata : { . = ALIGN(4); *(.rodata*) . = ALIGN(4); } > FLASH
          _sidata = LOADADDR(.data);
          .data : { . = ALIGN(4); _sdata = .; *(.data*) . = ALIGN(4); _edata = .; } > RAM AT> FLASH
          .bss (NOLOAD) : { . = ALIGN(4); _sbss = .; *(.bss*) *(COMMON) . = ALIGN(4); _ebss = .; } > RAM
          /DISCARD/ : { *(.comment) *(.ARM.attributes) }
        }
        """;

    [Fact]
    public async Task Read_GccBuiltElf_EqualsObjcopyBinaryAndIntelHex()
    {
        // Arrange: build the ELF, then let objcopy (which nobody here wrote) produce the reference bin and ihex.
        var gcc = ExternalTool.Require("arm-none-eabi-gcc", "gcc-arm-none-eabi");
        var objcopy = ExternalTool.Require("arm-none-eabi-objcopy", "binutils-arm-none-eabi");
        using var temp = new TempDirectory();
        await File.WriteAllTextAsync(temp.File("main.c"), Program, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(temp.File("link.ld"), LinkerScript, TestContext.Current.CancellationToken);
        await Run(gcc, ["-mcpu=cortex-m3", "-mthumb", "-O1", "-nostdlib", "-nostartfiles", "-ffreestanding", "-T", "link.ld", "-o", "fw.elf", "main.c"], temp.Path);
        await Run(objcopy, ["-O", "binary", "fw.elf", "fw.bin"], temp.Path);
        await Run(objcopy, ["-O", "ihex", "fw.elf", "fw.hex"], temp.Path);

        // Act
        var elf = ImageReader.ReadFile(temp.File("fw.elf"));
        var objcopyHex = ImageReader.ReadFile(temp.File("fw.hex"));
        using var ours = new MemoryStream();
        ImageWriter.WriteBinary(elf, ours, fill: 0x00);

        // Assert: objcopy -O binary starts at the lowest load address and fills gaps with 0x00.
        Assert.Equal(0x0800_0000u, elf.StartAddress);
        Assert.Equal(await File.ReadAllBytesAsync(temp.File("fw.bin"), TestContext.Current.CancellationToken), ours.ToArray());
        Assert.Equal(objcopyHex.Sha256, elf.Sha256);
        Assert.Equal(objcopyHex.EntryPoint, elf.EntryPoint);

        // .data's initial value 0x11223344 is in the image (at its flash LMA), .bss is not (image ends in flash).
        var flat = ImageText.Flatten(elf, 0x00);
        Assert.True(IndexOfUInt32(flat, 0x1122_3344) > 0);
        Assert.True(elf.EndAddress < 0x0801_0000);
    }

    [Fact]
    public void Read_SampleFirmwareElf_EqualsCommittedHexAndPutsDataAfterRodata()
    {
        var folder = ImageText.SampleFolder;

        var elf = ImageReader.ReadFile(Path.Combine(folder, "blue-pill-f103c8.elf"));
        var hex = ImageReader.ReadFile(Path.Combine(folder, "blue-pill-f103c8.hex"));

        Assert.Equal(hex.Sha256, elf.Sha256);
        Assert.Equal(hex.EntryPoint, elf.EntryPoint);
        Assert.Equal(1u, elf.EntryPoint!.Value & 1u); // Thumb bit of a Cortex-M entry point
        // .data (signature "ProdFlsh", blink_delay 200000) is the last 12 bytes, at its LMA right after .rodata.
        var flat = ImageText.Flatten(elf, 0xFF);
        Assert.Equal("ProdFlsh"u8.ToArray(), flat[^12..^4]);
        Assert.Equal(200_000u, BinaryPrimitives.ReadUInt32LittleEndian(flat.AsSpan()[^4..]));
    }

    [Fact]
    public void Read_X86_64Elf_ReportsClassWithOffset()
    {
        var path = new[] { "/bin/sh", "/usr/bin/env", "/proc/self/exe" }.First(File.Exists);
        var bytes = File.ReadAllBytes(path);

        var error = Assert.Throws<ImageParseException>(() => ImageReader.Read(new MemoryStream(bytes), "tool.elf", ImageFormat.Elf));

        Assert.Equal(4, error.Offset);
        Assert.Contains("64-bit ELF", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ElfOfAnotherMachine_ReportsMachineWithOffset()
    {
        // The sample ELF with e_machine (offset 18, u16 LE) changed from EM_ARM (40) to EM_386 (3).
        var bytes = File.ReadAllBytes(Path.Combine(ImageText.SampleFolder, "blue-pill-f103c8.elf"));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(18), 3);

        var error = Assert.Throws<ImageParseException>(() => ImageReader.Read(new MemoryStream(bytes), "x86.elf", ImageFormat.Elf));

        Assert.Equal(18, error.Offset);
        Assert.Contains("not ARM", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4, 7, "EI_CLASS")]
    [InlineData(6, 9, "EI_VERSION")]
    [InlineData(20, 5, "e_version")]
    [InlineData(50, 200, "e_shstrndx")]
    [InlineData(16, 1, "not an executable")]
    public void Read_DamagedHeaderField_ReportsItsOffset(int offset, byte value, string expected)
    {
        // System V ABI ELF header: EI_CLASS at 4, EI_VERSION at 6, e_type at 16, e_version at 20, e_shstrndx at 50.
        var bytes = File.ReadAllBytes(Path.Combine(ImageText.SampleFolder, "blue-pill-f103c8.elf"));
        bytes[offset] = value;

        var error = Assert.Throws<ImageParseException>(() => ImageReader.Read(new MemoryStream(bytes), "bad.elf", ImageFormat.Elf));

        Assert.Equal(offset, error.Offset);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BigEndianElf_ReportsDataEncodingWithOffset()
    {
        var bytes = File.ReadAllBytes(Path.Combine(ImageText.SampleFolder, "blue-pill-f103c8.elf"));
        bytes[5] = 2; // ELFDATA2MSB

        var error = Assert.Throws<ImageParseException>(() => ImageReader.Read(new MemoryStream(bytes), "be.elf", ImageFormat.Elf));

        Assert.Equal(5, error.Offset);
    }

    [Fact]
    public void Read_SegmentBeyondEndOfFile_ReportsProgramHeaderOffset()
    {
        // Truncate the sample right after the first segment's file contents start (offset 0x1000 per readelf).
        var bytes = File.ReadAllBytes(Path.Combine(ImageText.SampleFolder, "blue-pill-f103c8.elf"))[..0x1010];

        var error = Assert.Throws<ImageParseException>(() => ImageReader.Read(new MemoryStream(bytes), "cut.elf", ImageFormat.Elf));

        Assert.NotNull(error.Offset);
        Assert.Equal("cut.elf", error.FileName);
    }

    [Fact]
    public void Read_NotAnElf_ReportsOffsetZero()
    {
        var error = Assert.Throws<ImageParseException>(() => ImageReader.Read(new MemoryStream(":00000001FF\n"u8.ToArray()), "hex.elf", ImageFormat.Elf));

        Assert.Equal(0, error.Offset);
    }

    private static int IndexOfUInt32(byte[] bytes, uint value)
    {
        Span<byte> pattern = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(pattern, value);
        return bytes.AsSpan().IndexOf(pattern);
    }

    private static async Task Run(string tool, string[] arguments, string directory)
    {
        var result = await ExternalTool.RunAsync(tool, arguments, TimeSpan.FromSeconds(60), directory);
        Assert.True(result.ExitCode == 0, $"{Path.GetFileName(tool)} failed: {result.StandardError}");
    }
}

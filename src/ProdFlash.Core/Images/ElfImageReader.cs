using System.Buffers.Binary;

using ELFSharp.ELF;
using ELFSharp.ELF.Segments;

namespace ProdFlash.Core.Images;

/// <summary>
/// Reads a 32-bit little-endian ARM ELF executable with ELFSharp: the loadable program segments (PT_LOAD), p_filesz
/// bytes each, at their physical (load) addresses, so <c>.data</c> initial values land in flash where the startup
/// code copies them from; <c>.bss</c> (p_memsz beyond p_filesz) is not part of the image. e_entry is the entry point.
/// </summary>
/// <remarks>
/// ELF header field offsets are those of the System V ABI, "ELF header" (e_ident[EI_CLASS] at 4, EI_DATA at 5,
/// e_type at 16, e_machine at 18). Anything ELFSharp throws on a damaged file is translated into
/// <see cref="ImageParseException"/>.
/// </remarks>
internal static class ElfImageReader
{
    private const int ElfHeaderSize32 = 52;
    private const byte DataLittleEndian = 1;
    private const int ClassOffset = 4;
    private const int DataEncodingOffset = 5;
    private const int TypeOffset = 16;
    private const int MachineOffset = 18;
    private const int ProgramHeaderTableOffsetField = 28;
    private const int ProgramHeaderSize32 = 32;
    private const int SectionHeaderTableOffsetField = 32;
    private const int ProgramHeaderEntrySizeField = 42;
    private const int ProgramHeaderCountField = 44;
    private const int SectionHeaderEntrySizeField = 46;
    private const int SectionHeaderCountField = 48;
    private const byte Class32 = 1;
    private const byte Class64 = 2;
    private const int VersionIdentOffset = 6;
    private const int VersionOffset = 20;
    private const int SectionNamesIndexField = 50;
    private const uint CurrentVersion = 1;
    private const ulong AddressSpaceEnd = 1UL << 32;

    private static ReadOnlySpan<byte> ElfMagic => [0x7F, (byte)'E', (byte)'L', (byte)'F'];

    /// <summary>Reads an ELF stream (seekable, positioned at the start) into an image.</summary>
    public static MemoryImage Read(Stream stream, string fileName)
    {
        var fileLength = stream.Length;
        if (fileLength == 0)
        {
            throw new ImageParseException(fileName, null, 0, "the file is empty; build or export the ELF again");
        }

        // The two ELF header fields ELFSharp does not expose, read for exact error locations (System V ABI, ELF header).
        Span<byte> header = stackalloc byte[ElfHeaderSize32];
        var headerLength = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        if (headerLength >= DataEncodingOffset + 1 && header[..4].SequenceEqual(ElfMagic) && header[DataEncodingOffset] != DataLittleEndian)
        {
            throw new ImageParseException(fileName, null, DataEncodingOffset, $"e_ident[EI_DATA] is {header[DataEncodingOffset]}, not 1 (little-endian); an STM32 image is a little-endian ARM ELF, build it with arm-none-eabi-gcc");
        }

        var programHeaderTable = headerLength >= ProgramHeaderTableOffsetField + 4
            ? BinaryPrimitives.ReadUInt32LittleEndian(header[ProgramHeaderTableOffsetField..])
            : 0;
        if (headerLength > VersionIdentOffset && header[..4].SequenceEqual(ElfMagic))
        {
            if (header[ClassOffset] is not (Class32 or Class64))
            {
                throw new ImageParseException(fileName, null, ClassOffset, $"e_ident[EI_CLASS] is {header[ClassOffset]}, neither 1 (32-bit) nor 2 (64-bit); the ELF header is damaged, build or copy it again");
            }

            if (header[VersionIdentOffset] != CurrentVersion)
            {
                throw new ImageParseException(fileName, null, VersionIdentOffset, $"e_ident[EI_VERSION] is {header[VersionIdentOffset]}, not 1 (EV_CURRENT); the ELF header is damaged, build or copy it again");
            }
        }

        if (headerLength == ElfHeaderSize32 && header[..4].SequenceEqual(ElfMagic) && header[ClassOffset] == Class32)
        {
            var version = BinaryPrimitives.ReadUInt32LittleEndian(header[VersionOffset..]);
            if (version != CurrentVersion)
            {
                throw new ImageParseException(fileName, null, VersionOffset, $"e_version is {version}, not 1 (EV_CURRENT); the ELF header is damaged, build or copy it again");
            }

            var sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(header[SectionHeaderCountField..]);
            var namesIndex = BinaryPrimitives.ReadUInt16LittleEndian(header[SectionNamesIndexField..]);
            if (sectionCount > 0 && namesIndex >= sectionCount)
            {
                throw new ImageParseException(fileName, null, SectionNamesIndexField, $"e_shstrndx is {namesIndex} but there are only {sectionCount} sections; the ELF header is damaged, build or copy it again");
            }

            CheckTableInFile(fileName, fileLength, "program", programHeaderTable, header[ProgramHeaderEntrySizeField..], header[ProgramHeaderCountField..], ProgramHeaderTableOffsetField);
            var sectionHeaderTable = BinaryPrimitives.ReadUInt32LittleEndian(header[SectionHeaderTableOffsetField..]);
            CheckTableInFile(fileName, fileLength, "section", sectionHeaderTable, header[SectionHeaderEntrySizeField..], header[SectionHeaderCountField..], SectionHeaderTableOffsetField);
        }

        IELF? elf = null;
        try
        {
            if (!ELFReader.TryLoad(stream, false, out elf))
            {
                throw new ImageParseException(fileName, null, 0, "this is not an ELF file (no 0x7F 'ELF' header of a known class at offset 0); choose the right file or name its format");
            }

            return ReadLoaded(elf, fileName, fileLength, programHeaderTable);
        }
        catch (Exception exception) when (exception is not ImageParseException and not OperationCanceledException)
        {
            throw new ImageParseException(fileName, null, null, $"the ELF structure is damaged ({exception.Message.TrimEnd('.')}); build or export the ELF again", exception);
        }
        finally
        {
            elf?.Dispose();
        }
    }

    private static void CheckTableInFile(string fileName, long fileLength, string name, uint tableOffset, ReadOnlySpan<byte> entrySizeField, ReadOnlySpan<byte> countField, int fieldOffset)
    {
        var count = BinaryPrimitives.ReadUInt16LittleEndian(countField);
        var end = tableOffset + ((long)BinaryPrimitives.ReadUInt16LittleEndian(entrySizeField) * count);
        if (count > 0 && end > fileLength)
        {
            throw new ImageParseException(fileName, null, fieldOffset, $"the {name} header table (0x{tableOffset:X}..0x{end:X}) runs past the end of the {fileLength}-byte file; it is truncated, build or copy it again");
        }
    }

    private static MemoryImage ReadLoaded(IELF elf, string fileName, long fileLength, long programHeaderTable)
    {
        if (elf.Class != Class.Bit32)
        {
            throw new ImageParseException(fileName, null, ClassOffset, $"this is a {(elf.Class == Class.Bit64 ? "64-bit" : "non-32-bit")} ELF; an STM32 image is a 32-bit ARM ELF, build it with arm-none-eabi-gcc");
        }

        if (elf.Machine != Machine.ARM)
        {
            throw new ImageParseException(fileName, null, MachineOffset, $"this ELF is for machine {elf.Machine}, not ARM; build the firmware for the STM32 with arm-none-eabi-gcc");
        }

        if (elf.Type != FileType.Executable)
        {
            throw new ImageParseException(fileName, null, TypeOffset, $"this ELF is of type {elf.Type}, not an executable; flash the linked firmware, not an object file or library");
        }

        var elf32 = (ELF<uint>)elf;
        var builder = new SegmentBuilder();
        var index = 0;
        foreach (var segment in elf32.Segments)
        {
            var headerOffset = programHeaderTable + (index * ProgramHeaderSize32);
            index++;
            if (segment.Type != SegmentType.Load || segment.FileSize == 0)
            {
                continue;
            }

            if (segment.Offset < 0 || segment.FileSize < 0 || segment.Offset + segment.FileSize > fileLength)
            {
                throw new ImageParseException(fileName, null, headerOffset, $"a loadable segment claims {(uint)segment.FileSize} bytes at file offset 0x{segment.Offset:X} but the file is only {fileLength} bytes; it is truncated, build or copy it again");
            }

            var address = (ulong)segment.PhysicalAddress;
            if (address + (ulong)segment.FileSize > AddressSpaceEnd)
            {
                throw new ImageParseException(fileName, null, headerOffset, $"a loadable segment of {segment.FileSize} bytes at 0x{address:X8} runs past the 4 GiB address space; check the linker script");
            }

            var contents = segment.GetFileContents();
            switch (builder.TryAdd(address, contents, out var conflict))
            {
                case AddResult.Conflict:
                    throw new ImageParseException(fileName, null, headerOffset, $"this loadable segment puts different data at 0x{conflict:X8} than an earlier one; check the linker script's load addresses (AT>)");
                case AddResult.TooLarge:
                    throw new ImageParseException(fileName, null, headerOffset, $"the contiguous block reaching 0x{address:X8} is larger than 2 GiB; no microcontroller image is this large");
            }
        }

        if (builder.TotalBytes == 0)
        {
            throw new ImageParseException(fileName, null, ProgramHeaderTableOffsetField, "the ELF has no loadable segment with file contents; there is nothing to program, check the linker script");
        }

        var entry = elf32.EntryPoint;
        return builder.Build(entry == 0 ? null : entry);
    }
}

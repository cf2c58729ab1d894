using System.Buffers.Binary;
using System.Globalization;

namespace ProdFlash.Core.Serialization;

/// <summary>Byte order of a multi-byte integer field.</summary>
public enum Endianness
{
    /// <summary>Least significant byte first (the Cortex-M's own order).</summary>
    Little,

    /// <summary>Most significant byte first.</summary>
    Big,
}

/// <summary>How an ASCII field ends inside its fixed length.</summary>
public enum AsciiTermination
{
    /// <summary>The text, then the padding byte up to the field length; the text may fill the field exactly.</summary>
    Padded,

    /// <summary>The text, a NUL byte, then the padding byte up to the field length; the text must leave room for the NUL.</summary>
    NulTerminated,
}

/// <summary>What a field writes while a record is rendered.</summary>
/// <param name="Sequence">The reserved sequence value.</param>
/// <param name="Text">The scheme's rendered serial text.</param>
/// <param name="Now">The render timestamp.</param>
/// <param name="Station">The station name, if any.</param>
internal readonly record struct FieldContext(ulong Sequence, string Text, DateTimeOffset Now, string? Station);

/// <summary>
/// One field of a serial record layout. <see cref="Offset"/> null means packed: right after the previous field.
/// </summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public abstract record SerialField
{
    /// <summary>Creates the field.</summary>
    private protected SerialField(int? offset)
    {
        if (offset is < 0)
        {
            throw new SerialSchemeException($"A serial record field offset must not be negative (got {offset}).");
        }

        Offset = offset;
    }

    /// <summary>Byte offset from the start of the record, or null to follow the previous field.</summary>
    public int? Offset { get; }

    /// <summary>Number of bytes the field occupies.</summary>
    public abstract int Length { get; }

    /// <summary>A short description for error messages and docs ("uint32 little-endian").</summary>
    public abstract string Describe();

    /// <summary>Writes the field into <paramref name="destination"/> (exactly <see cref="Length"/> bytes).</summary>
    /// <param name="destination">The field's bytes.</param>
    /// <param name="recordSoFar">The record's bytes before this field (for checksums).</param>
    /// <param name="context">The values being rendered.</param>
    internal abstract void Write(Span<byte> destination, ReadOnlySpan<byte> recordSoFar, in FieldContext context);
}

/// <summary>
/// ASCII text in a fixed number of bytes: the scheme's serial text, or a template of its own.
/// </summary>
public sealed record AsciiField : SerialField
{
    /// <summary>Creates the field.</summary>
    /// <param name="length">Field length in bytes (1 or more).</param>
    /// <param name="termination">Padded or NUL-terminated.</param>
    /// <param name="padding">The byte after the text (and after the NUL).</param>
    /// <param name="template">A template of its own, or null for the scheme's serial text.</param>
    /// <param name="offset">Byte offset, or null for packed.</param>
    public AsciiField(int length, AsciiTermination termination = AsciiTermination.Padded, byte padding = 0x00, SerialTemplate? template = null, int? offset = null)
        : base(offset)
    {
        if (length < 1)
        {
            throw new SerialSchemeException($"An ASCII field needs a length of at least 1 byte (got {length}).");
        }

        FieldLength = length;
        Termination = termination;
        Padding = padding;
        Template = template;
    }

    /// <summary>The field length in bytes.</summary>
    public int FieldLength { get; }

    /// <summary>Padded or NUL-terminated.</summary>
    public AsciiTermination Termination { get; }

    /// <summary>The padding byte.</summary>
    public byte Padding { get; }

    /// <summary>The field's own template, or null for the scheme's serial text.</summary>
    public SerialTemplate? Template { get; }

    /// <inheritdoc />
    public override int Length => FieldLength;

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"ASCII {FieldLength} bytes, {(Termination == AsciiTermination.NulTerminated ? "NUL-terminated" : "padded")} with 0x{Padding:X2}");

    internal override void Write(Span<byte> destination, ReadOnlySpan<byte> recordSoFar, in FieldContext context)
    {
        var text = Template?.Render(context.Sequence, context.Now, context.Station) ?? context.Text;
        var room = Termination == AsciiTermination.NulTerminated ? FieldLength - 1 : FieldLength;
        if (text.Length > room)
        {
            throw new SerialValueException(string.Create(CultureInfo.InvariantCulture,
                $"Serial text \"{text}\" is {text.Length} characters but the field ({Describe()}) holds {room}; lengthen the field or shorten the template."));
        }

        destination.Fill(Padding);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is < ' ' or > '~')
            {
                throw new SerialValueException(string.Create(CultureInfo.InvariantCulture,
                    $"Serial text \"{text}\" has character U+{(int)c:X4} at position {i + 1}, which is not printable ASCII; the record field is ASCII."));
            }

            destination[i] = (byte)c;
        }

        if (Termination == AsciiTermination.NulTerminated)
        {
            destination[text.Length] = 0x00;
        }
    }
}

/// <summary>The sequence as an unsigned integer of 1, 2, 4 or 8 bytes.</summary>
public sealed record IntegerField : SerialField
{
    /// <summary>Creates the field.</summary>
    /// <param name="size">1, 2, 4 or 8 bytes.</param>
    /// <param name="endianness">Byte order.</param>
    /// <param name="offset">Byte offset, or null for packed.</param>
    public IntegerField(int size, Endianness endianness = Endianness.Little, int? offset = null)
        : base(offset)
    {
        if (size is not (1 or 2 or 4 or 8))
        {
            throw new SerialSchemeException($"An integer field is 1, 2, 4 or 8 bytes (got {size}).");
        }

        Size = size;
        Endianness = endianness;
    }

    /// <summary>Size in bytes.</summary>
    public int Size { get; }

    /// <summary>Byte order.</summary>
    public Endianness Endianness { get; }

    /// <inheritdoc />
    public override int Length => Size;

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"uint{Size * 8} {(Endianness == Endianness.Little ? "little" : "big")}-endian");

    internal override void Write(Span<byte> destination, ReadOnlySpan<byte> recordSoFar, in FieldContext context)
    {
        var value = context.Sequence;
        if (Size < 8 && value >> (Size * 8) != 0)
        {
            throw new SerialValueException(string.Create(CultureInfo.InvariantCulture,
                $"Sequence {value} does not fit the {Describe()} field (maximum {(1UL << (Size * 8)) - 1})."));
        }

        Span<byte> full = stackalloc byte[8];
        if (Endianness == Endianness.Little)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(full, value);
            full[..Size].CopyTo(destination);
        }
        else
        {
            BinaryPrimitives.WriteUInt64BigEndian(full, value);
            full[(8 - Size)..].CopyTo(destination);
        }
    }
}

/// <summary>The sequence in packed BCD, two decimal digits a byte, most significant digit first.</summary>
public sealed record BcdField : SerialField
{
    /// <summary>Creates the field.</summary>
    /// <param name="size">Size in bytes (1 to 10); holds 2 × size digits.</param>
    /// <param name="offset">Byte offset, or null for packed.</param>
    public BcdField(int size, int? offset = null)
        : base(offset)
    {
        if (size is < 1 or > 10)
        {
            throw new SerialSchemeException($"A BCD field is 1 to 10 bytes (got {size}).");
        }

        Size = size;
    }

    /// <summary>Size in bytes.</summary>
    public int Size { get; }

    /// <inheritdoc />
    public override int Length => Size;

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"BCD {Size} bytes ({Size * 2} digits)");

    internal override void Write(Span<byte> destination, ReadOnlySpan<byte> recordSoFar, in FieldContext context)
    {
        var value = context.Sequence;
        for (var i = Size - 1; i >= 0; i--)
        {
            var low = (byte)(value % 10);
            value /= 10;
            var high = (byte)(value % 10);
            value /= 10;
            destination[i] = (byte)((high << 4) | low);
        }

        if (value != 0)
        {
            throw new SerialValueException(string.Create(CultureInfo.InvariantCulture,
                $"Sequence {context.Sequence} has more than {Size * 2} digits and does not fit the {Describe()} field."));
        }
    }
}

/// <summary>
/// A MAC address from a block the product owns: <see cref="BaseAddress"/> + (sequence − <see cref="FirstSequence"/>),
/// written as 6 bytes in transmission order (the first byte of "00:80:E1:..." first). Refuses to leave the block.
/// </summary>
public sealed record MacAddressField : SerialField
{
    /// <summary>Bytes in an EUI-48 MAC address.</summary>
    public const int MacLength = 6;

    private const ulong MaxMac = 0xFFFF_FFFF_FFFF;

    /// <summary>Creates the field.</summary>
    /// <param name="baseAddress">The first address of the block (48 bits).</param>
    /// <param name="blockSize">How many addresses the block holds (1 or more).</param>
    /// <param name="firstSequence">The sequence that gets <paramref name="baseAddress"/>.</param>
    /// <param name="offset">Byte offset, or null for packed.</param>
    public MacAddressField(ulong baseAddress, ulong blockSize, ulong firstSequence, int? offset = null)
        : base(offset)
    {
        if (blockSize == 0 || baseAddress > MaxMac || blockSize - 1 > MaxMac - baseAddress)
        {
            throw new SerialSchemeException(string.Create(CultureInfo.InvariantCulture,
                $"MAC block {FormatMac(Math.Min(baseAddress, MaxMac))} with {blockSize} addresses does not fit in 48 bits or is empty."));
        }

        BaseAddress = baseAddress;
        BlockSize = blockSize;
        FirstSequence = firstSequence;
    }

    /// <summary>The first address of the block.</summary>
    public ulong BaseAddress { get; }

    /// <summary>How many addresses the block holds.</summary>
    public ulong BlockSize { get; }

    /// <summary>The sequence that gets <see cref="BaseAddress"/>.</summary>
    public ulong FirstSequence { get; }

    /// <inheritdoc />
    public override int Length => MacLength;

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"MAC from block {FormatMac(BaseAddress)}..{FormatMac(BaseAddress + BlockSize - 1)}");

    /// <summary>The MAC address of <paramref name="sequence"/>.</summary>
    /// <exception cref="MacBlockExhaustedException">The sequence lies outside the block.</exception>
    public ulong AddressFor(ulong sequence)
    {
        if (sequence < FirstSequence || sequence - FirstSequence >= BlockSize)
        {
            throw new MacBlockExhaustedException(string.Create(CultureInfo.InvariantCulture,
                $"Sequence {sequence} has no MAC address: the block {FormatMac(BaseAddress)}..{FormatMac(BaseAddress + BlockSize - 1)} serves sequences {FirstSequence} to {FirstSequence + BlockSize - 1}; allocate a new MAC block."));
        }

        return BaseAddress + (sequence - FirstSequence);
    }

    /// <summary>"00:80:E1:00:00:2A".</summary>
    public static string FormatMac(ulong mac)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, mac);
        var hex = Convert.ToHexString(bytes[2..]);
        return string.Join(':', Enumerable.Range(0, MacLength).Select(i => hex.Substring(i * 2, 2)));
    }

    internal override void Write(Span<byte> destination, ReadOnlySpan<byte> recordSoFar, in FieldContext context)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, AddressFor(context.Sequence));
        bytes[2..].CopyTo(destination);
    }
}

/// <summary>The CRC-32 (IEEE 802.3, as zlib) of every record byte before this field, little-endian.</summary>
public sealed record Crc32Field : SerialField
{
    /// <summary>Bytes in the CRC.</summary>
    public const int CrcLength = 4;

    /// <summary>Creates the field.</summary>
    /// <param name="offset">Byte offset, or null for packed.</param>
    public Crc32Field(int? offset = null)
        : base(offset)
    {
    }

    /// <inheritdoc />
    public override int Length => CrcLength;

    /// <inheritdoc />
    public override string Describe() => "CRC-32 of the record so far, little-endian";

    internal override void Write(Span<byte> destination, ReadOnlySpan<byte> recordSoFar, in FieldContext context) =>
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Crc32.Compute(recordSoFar));
}

/// <summary>Fixed bytes (a magic number, a layout version).</summary>
public sealed record ConstantField : SerialField
{
    private readonly byte[] _bytes;

    /// <summary>Creates the field.</summary>
    /// <param name="bytes">The bytes (at least one).</param>
    /// <param name="offset">Byte offset, or null for packed.</param>
    public ConstantField(ReadOnlySpan<byte> bytes, int? offset = null)
        : base(offset)
    {
        if (bytes.IsEmpty)
        {
            throw new SerialSchemeException("A constant field needs at least one byte.");
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>The bytes.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <inheritdoc />
    public override int Length => _bytes.Length;

    /// <inheritdoc />
    public override string Describe() => "constant " + Convert.ToHexString(_bytes);

    internal override void Write(Span<byte> destination, ReadOnlySpan<byte> recordSoFar, in FieldContext context) => _bytes.CopyTo(destination);
}

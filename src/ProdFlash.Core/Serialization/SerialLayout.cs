using System.Globalization;

namespace ProdFlash.Core.Serialization;

/// <summary>A field with its resolved offset.</summary>
/// <param name="Offset">Byte offset from the start of the record.</param>
/// <param name="Field">The field.</param>
public readonly record struct PlacedField(int Offset, SerialField Field)
{
    /// <summary>One past the field's last byte.</summary>
    public int End => Offset + Field.Length;
}

/// <summary>
/// The byte layout of a per-unit record: fields at explicit or packed offsets inside a fixed total length, bytes not
/// covered by a field set to <see cref="Fill"/>. The bytes of a record are fully determined by the layout and the
/// values rendered.
/// </summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed class SerialLayout
{
    /// <summary>The erased value of STM32 NOR flash, the default for bytes no field covers.</summary>
    public const byte ErasedFlash = 0xFF;

    /// <summary>Creates the layout and resolves packed offsets.</summary>
    /// <param name="fields">The fields in record order; a field without an offset follows the previous one (the first starts at 0).</param>
    /// <param name="length">Total record length in bytes, or null for the end of the last field.</param>
    /// <param name="fill">The byte for gaps and the tail.</param>
    /// <exception cref="SerialSchemeException">Fields overlap, go past <paramref name="length"/>, or there are none.</exception>
    public SerialLayout(IEnumerable<SerialField> fields, int? length = null, byte fill = ErasedFlash)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var placed = new List<PlacedField>();
        var cursor = 0;
        foreach (var field in fields)
        {
            ArgumentNullException.ThrowIfNull(field);
            var offset = field.Offset ?? cursor;
            placed.Add(new PlacedField(offset, field));
            cursor = offset + field.Length;
        }

        if (placed.Count == 0)
        {
            throw new SerialSchemeException("A serial record layout needs at least one field.");
        }

        var sorted = placed.OrderBy(p => p.Offset).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].Offset < sorted[i - 1].End)
            {
                throw new SerialSchemeException(string.Create(CultureInfo.InvariantCulture,
                    $"Serial record fields overlap: {sorted[i - 1].Field.Describe()} at bytes {sorted[i - 1].Offset}..{sorted[i - 1].End - 1} and {sorted[i].Field.Describe()} at {sorted[i].Offset}..{sorted[i].End - 1}."));
            }
        }

        var end = sorted.Max(p => p.End);
        if (length is { } total && total < end)
        {
            throw new SerialSchemeException(string.Create(CultureInfo.InvariantCulture,
                $"Serial record length {total} is too short: the fields end at byte {end}."));
        }

        Fields = sorted;
        Length = length ?? end;
        Fill = fill;
    }

    /// <summary>The fields in offset order.</summary>
    public IReadOnlyList<PlacedField> Fields { get; }

    /// <summary>Total record length in bytes.</summary>
    public int Length { get; }

    /// <summary>The byte for gaps and the tail.</summary>
    public byte Fill { get; }

    /// <summary>The MAC field, if the layout has one.</summary>
    public MacAddressField? MacField => Fields.Select(f => f.Field).OfType<MacAddressField>().FirstOrDefault();

    /// <summary>Renders the record bytes.</summary>
    internal byte[] Render(in FieldContext context)
    {
        var bytes = new byte[Length];
        bytes.AsSpan().Fill(Fill);
        foreach (var placed in Fields)
        {
            placed.Field.Write(bytes.AsSpan(placed.Offset, placed.Field.Length), bytes.AsSpan(0, placed.Offset), context);
        }

        return bytes;
    }
}

using System.Globalization;

namespace ProdFlash.Core.Serialization;

/// <summary>
/// How a product's units are numbered and what is written into each: the series (start, step), the text form, the
/// byte layout and the flash address the record goes to.
/// </summary>
/// <remarks>Immutable; safe to share between threads. The ledger reserves values from the series; this type only renders them.</remarks>
public sealed record SerialScheme
{
    /// <summary>Creates the scheme.</summary>
    /// <param name="text">The text form (what the ledger and the dashboard show).</param>
    /// <param name="layout">The record bytes.</param>
    /// <param name="address">Flash address of the record.</param>
    /// <param name="start">The first sequence value.</param>
    /// <param name="step">The distance between consecutive values (1 or more).</param>
    public SerialScheme(SerialTemplate text, SerialLayout layout, uint address, ulong start = 1, ulong step = 1)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(layout);
        if (step == 0)
        {
            throw new SerialSchemeException("A serial scheme's step must be at least 1.");
        }

        if ((ulong)address + (ulong)layout.Length > 0x1_0000_0000UL)
        {
            throw new SerialSchemeException(string.Create(CultureInfo.InvariantCulture,
                $"A {layout.Length}-byte serial record at 0x{address:X8} runs past the 32-bit address space."));
        }

        Text = text;
        Layout = layout;
        Address = address;
        Start = start;
        Step = step;
    }

    /// <summary>The text form.</summary>
    public SerialTemplate Text { get; init; }

    /// <summary>The record bytes.</summary>
    public SerialLayout Layout { get; init; }

    /// <summary>Flash address of the record.</summary>
    public uint Address { get; init; }

    /// <summary>The first sequence value.</summary>
    public ulong Start { get; init; }

    /// <summary>The distance between consecutive values.</summary>
    public ulong Step { get; init; }

    /// <summary>The value after <paramref name="sequence"/>, or <see cref="Start"/> when none was issued yet.</summary>
    /// <exception cref="SerialValueException">The series has run past 2^64 − 1.</exception>
    public ulong Next(ulong? sequence)
    {
        if (sequence is not { } last)
        {
            return Start;
        }

        return ulong.MaxValue - last < Step
            ? throw new SerialValueException(string.Create(CultureInfo.InvariantCulture, $"Serial series ends at {last}: adding step {Step} passes 2^64 - 1."))
            : last + Step;
    }

    /// <summary>Whether <paramref name="sequence"/> belongs to the series (at or after <see cref="Start"/>, on a step).</summary>
    public bool Contains(ulong sequence) => sequence >= Start && (sequence - Start) % Step == 0;

    /// <summary>Renders the record for a reserved value.</summary>
    /// <param name="sequence">The reserved value; must be in the series.</param>
    /// <param name="now">The timestamp date fields come from.</param>
    /// <param name="station">The station name for <c>{station}</c>.</param>
    /// <exception cref="SerialValueException">The value is not in the series, does not fit a field, or has no MAC address left (<see cref="MacBlockExhaustedException"/>).</exception>
    public SerialRecord Render(ulong sequence, DateTimeOffset now, string? station = null)
    {
        if (!Contains(sequence))
        {
            throw new SerialValueException(string.Create(CultureInfo.InvariantCulture,
                $"Sequence {sequence} is not in this scheme's series (start {Start}, step {Step})."));
        }

        var text = Text.Render(sequence, now, station);
        var bytes = Layout.Render(new FieldContext(sequence, text, now, station));
        var mac = Layout.MacField is { } field ? MacAddressField.FormatMac(field.AddressFor(sequence)) : null;
        return new SerialRecord(sequence, text, Address, bytes, mac);
    }
}

/// <summary>One rendered per-unit record.</summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed class SerialRecord
{
    private readonly byte[] _bytes;

    internal SerialRecord(ulong sequence, string text, uint address, byte[] bytes, string? macAddress)
    {
        Sequence = sequence;
        Text = text;
        Address = address;
        _bytes = bytes;
        MacAddress = macAddress;
    }

    /// <summary>The sequence value.</summary>
    public ulong Sequence { get; }

    /// <summary>The text form, as the ledger and the dashboard show it.</summary>
    public string Text { get; }

    /// <summary>Flash address of the record.</summary>
    public uint Address { get; }

    /// <summary>The record bytes to program at <see cref="Address"/>.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>The unit's MAC address ("00:80:E1:00:00:2A") when the layout has one.</summary>
    public string? MacAddress { get; }

    /// <summary>Returns <see cref="Text"/>.</summary>
    public override string ToString() => Text;
}

namespace ProdFlash.Core.Devices;

/// <summary>A field of a 32-bit register: <see cref="Width"/> bits starting at bit <see cref="Shift"/>.</summary>
/// <param name="Shift">Position of the least significant bit.</param>
/// <param name="Width">Number of bits (1 for a flag).</param>
public readonly record struct BitField(int Shift, int Width)
{
    /// <summary>The field's bits in place (e.g. PSIZE[9:8] → 0x300).</summary>
    public uint Mask => (Width >= 32 ? uint.MaxValue : ((1u << Width) - 1)) << Shift;

    /// <summary>The field's value in <paramref name="register"/>, shifted down.</summary>
    public uint Extract(uint register) => (register & Mask) >> Shift;

    /// <summary><paramref name="register"/> with the field replaced by <paramref name="value"/> (excess bits dropped).</summary>
    public uint Insert(uint register, uint value) => (register & ~Mask) | ((value << Shift) & Mask);

    /// <summary>Whether a one-bit field is set in <paramref name="register"/> (any bit set, for wider fields).</summary>
    public bool IsSet(uint register) => (register & Mask) != 0;

    /// <inheritdoc/>
    public override string ToString() => Width == 1 ? $"b{Shift}" : $"[{Shift + Width - 1}:{Shift}]";
}

/// <summary>Register names used in <see cref="FlashControllerMap"/>, as the reference manuals spell them.</summary>
public static class FlashRegisterNames
{
    /// <summary>Access control register.</summary>
    public const string Acr = "ACR";

    /// <summary>Flash key register (KEY1 then KEY2 unlocks CR).</summary>
    public const string Keyr = "KEYR";

    /// <summary>Option key register (OPTKEY1 then OPTKEY2 unlocks option-byte programming).</summary>
    public const string Optkeyr = "OPTKEYR";

    /// <summary>Status register.</summary>
    public const string Sr = "SR";

    /// <summary>Control register.</summary>
    public const string Cr = "CR";

    /// <summary>Address register (F0/F1 page erase).</summary>
    public const string Ar = "AR";

    /// <summary>Option byte register, read-only mirror of the loaded option bytes (F0/F1).</summary>
    public const string Obr = "OBR";

    /// <summary>Write protection register (F0/F1).</summary>
    public const string Wrpr = "WRPR";

    /// <summary>Option control register (F2/F4).</summary>
    public const string Optcr = "OPTCR";

    /// <summary>Option control register 1 (F42x/43x: nWRP of bank 2).</summary>
    public const string Optcr1 = "OPTCR1";

    /// <summary>Option register (G0/L4).</summary>
    public const string Optr = "OPTR";
}

/// <summary>
/// A family's flash controller (FPEC / FLASH interface): register base and offsets, named bit fields, unlock keys.
/// </summary>
/// <remarks>Immutable; safe to share between threads. Names follow the reference manual (see <see cref="FlashRegisterNames"/>).</remarks>
public sealed class FlashControllerMap
{
    /// <summary>Creates the map.</summary>
    public FlashControllerMap(
        uint baseAddress,
        uint? bank2RegisterOffset,
        IReadOnlyDictionary<string, uint> registers,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, BitField>> bits,
        uint key1,
        uint key2,
        uint optKey1,
        uint optKey2,
        string source)
    {
        Base = baseAddress;
        Bank2RegisterOffset = bank2RegisterOffset;
        Registers = registers;
        Bits = bits;
        Key1 = key1;
        Key2 = key2;
        OptKey1 = optKey1;
        OptKey2 = optKey2;
        Source = source;
    }

    /// <summary>Address of the register block (F0/F1/G0/L4 0x40022000, F4 0x40023C00).</summary>
    public uint Base { get; }

    /// <summary>
    /// Where a second bank has its own KEYR/SR/CR/AR copy (F1 XL-density: +0x40, so KEYR2 = KEYR + 0x40), the offset of
    /// that copy; null where one register set serves both banks.
    /// </summary>
    public uint? Bank2RegisterOffset { get; }

    /// <summary>Register offsets from <see cref="Base"/>, by reference-manual name.</summary>
    public IReadOnlyDictionary<string, uint> Registers { get; }

    /// <summary>Bit fields by register name, then by field name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, BitField>> Bits { get; }

    /// <summary>First key written to KEYR (0x45670123 on every family covered).</summary>
    public uint Key1 { get; }

    /// <summary>Second key written to KEYR (0xCDEF89AB on every family covered).</summary>
    public uint Key2 { get; }

    /// <summary>First key written to OPTKEYR (F0/F1: same as KEY1; F4/G0/L4: 0x08192A3B).</summary>
    public uint OptKey1 { get; }

    /// <summary>Second key written to OPTKEYR (F0/F1: same as KEY2; F4/G0/L4: 0x4C5D6E7F).</summary>
    public uint OptKey2 { get; }

    /// <summary>Where these facts come from.</summary>
    public string Source { get; }

    /// <summary>Whether the family has a register of that name.</summary>
    public bool HasRegister(string register) => Registers.ContainsKey(register);

    /// <summary>Offset of <paramref name="register"/> from <see cref="Base"/>.</summary>
    /// <exception cref="ArgumentException">The family has no register of that name.</exception>
    public uint Offset(string register) => Registers.TryGetValue(register, out var offset)
        ? offset
        : throw new ArgumentException($"The flash controller has no register '{register}'; it has {string.Join(", ", Registers.Keys)}.", nameof(register));

    /// <summary>Absolute address of <paramref name="register"/>.</summary>
    /// <exception cref="ArgumentException">The family has no register of that name.</exception>
    public uint Address(string register) => Base + Offset(register);

    /// <summary>
    /// Absolute address of <paramref name="register"/> for the bank it acts on: bank 2 adds <see cref="Bank2RegisterOffset"/>
    /// where the family has a second register set (F1 XL-density: CR of bank 2 is 0x40022050); otherwise the one register.
    /// </summary>
    /// <exception cref="ArgumentException">The family has no register of that name, or <paramref name="bank"/> is not 1 or 2.</exception>
    public uint AddressForBank(string register, int bank) => bank switch
    {
        1 => Address(register),
        2 => Address(register) + (Bank2RegisterOffset ?? 0),
        _ => throw new ArgumentException($"Bank {bank} does not exist; banks are 1 and 2.", nameof(bank)),
    };

    /// <summary>The field <paramref name="field"/> of <paramref name="register"/>.</summary>
    /// <exception cref="ArgumentException">The register or field is not described for this family.</exception>
    public BitField Bit(string register, string field)
    {
        if (TryGetBit(register, field, out var bit))
        {
            return bit;
        }

        var known = Bits.TryGetValue(register, out var fields) ? string.Join(", ", fields.Keys) : "none";
        throw new ArgumentException($"The flash controller describes no field '{field}' in register '{register}' (fields known there: {known}).", nameof(field));
    }

    /// <summary>Looks up <paramref name="field"/> of <paramref name="register"/>; false when it is not described.</summary>
    public bool TryGetBit(string register, string field, out BitField bit)
    {
        if (Bits.TryGetValue(register, out var fields) && fields.TryGetValue(field, out bit))
        {
            return true;
        }

        bit = default;
        return false;
    }
}

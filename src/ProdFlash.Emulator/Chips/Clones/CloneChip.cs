using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Chips.Clones;

/// <summary>
/// An emulated STM32F103 look-alike (CKS32/CS32, APM32, GD32, CH32, HK32, AT32): the genuine <see cref="Stm32F1Chip"/>
/// model built from a spec carrying the clone's identity (<see cref="CloneChips.BuildSpec"/>), seen through the
/// few bus differences <see cref="CloneIdentity"/> lists — flash-size register, UID project byte, larger option
/// block, sticky RCC_AHBENR bits, CH32 FLASH_MODEKEYR/FLOCK, and the APM32 programming rules.
/// </summary>
/// <remarks>Not thread-safe: one probe transaction at a time, like the chip it wraps.</remarks>
public sealed class CloneChip : IEmulatedTarget, IFlashActivity
{
    /// <summary>FLASH_MODEKEYR offset from the FPEC base (CH32, reference §5.3: 0x40022024).</summary>
    public const uint ModeKeyrOffset = 0x24;

    /// <summary>FLASH_CR.FLOCK (CH32): set at reset, cleared by the FLASH_MODEKEYR key sequence (reference §5.3).</summary>
    public const uint CrFlock = 1u << 15;

    /// <summary>RCC_AHBENR address.</summary>
    public const uint AhbEnrAddress = Stm32F1Rcc.Base + Stm32F1Rcc.AhbEnrOffset;

    /// <summary>Size of the F1 option-byte block the genuine model implements.</summary>
    private const int F1OptionBlockBytes = Stm32F1OptionBytes.BlockSize;

    private readonly Stm32F1Chip _chip;
    private readonly Dictionary<uint, byte> _byteOverrides = [];
    private uint _stickyAhbEnr;
    private bool _flock = true;
    private int _modeKeyStage;

    /// <summary>Creates the look-alike <paramref name="identity"/> at power-on.</summary>
    /// <param name="identity">The clone's identity and quirks.</param>
    /// <param name="clock">The emulator's modeled time.</param>
    /// <param name="faults">Chip-level faults; <see cref="ChipFaults.None"/> when null.</param>
    /// <param name="uidSeed">Seed of the chip's unique ID.</param>
    /// <exception cref="ChipConfigurationException">The copied part is unknown or a fault does not fit the part.</exception>
    public CloneChip(CloneIdentity identity, IModeledClock clock, ChipFaults? faults = null, ulong uidSeed = 0)
    {
        ArgumentNullException.ThrowIfNull(identity);
        Identity = identity;
        _chip = new Stm32F1Chip(CloneChips.BuildSpec(identity), clock, faults, uidSeed);
        _chip.Core.SystemResetRequested += (_, _) => ResetPeripherals();

        var spec = _chip.Spec;
        SetOverride(spec.FlashSizeRegisterAddress, (ushort)identity.FlashSizeRegisterKiB.Value);
        if (identity.FlashSizeRegisterSramKiB is { } sram)
        {
            SetOverride(spec.FlashSizeRegisterAddress + 2, (ushort)sram.Value);
        }

        if (identity.UidProjectId is { } project)
        {
            _byteOverrides[spec.UniqueIdAddress + UniqueDeviceId.Length - 1] = (byte)project.Value;
        }
    }

    /// <summary>The clone's identity and quirks.</summary>
    public CloneIdentity Identity { get; }

    /// <summary>The underlying F1 model (flash controller, core, raw memories).</summary>
    public Stm32F1Chip Chip => _chip;

    /// <summary>The spec the underlying model runs with.</summary>
    public Stm32F1ChipSpec Spec => _chip.Spec;

    /// <inheritdoc />
    public double SenseVoltage => _chip.SenseVoltage;

    /// <inheritdoc />
    public uint DpIdr => _chip.DpIdr;

    /// <inheritdoc />
    public uint ApIdr => _chip.ApIdr;

    /// <inheritdoc />
    public uint ApBase => _chip.ApBase;

    /// <inheritdoc />
    public bool SwdResponds => _chip.SwdResponds;

    /// <inheritdoc />
    public long FlashSizeBytes => Spec.FlashSize;

    /// <inheritdoc />
    public long BytesProgrammed => _chip.Counters.BytesProgrammed;

    /// <inheritdoc />
    public long BytesErased => (_chip.Counters.PagesErased * Spec.PageSize) + (_chip.Counters.MassErases * Spec.FlashSize);

    /// <summary>The main flash contents, bypassing every protection (for tests and diagnostics).</summary>
    public ReadOnlySpan<byte> MainFlash => _chip.MainFlash;

    private uint OptionBlockBytes => Identity.OptionBlockBytes?.Value ?? F1OptionBlockBytes;

    /// <inheritdoc />
    public void SetResetLine(bool asserted)
    {
        if (asserted)
        {
            ResetPeripherals();
        }

        _chip.SetResetLine(asserted);
    }

    /// <inheritdoc />
    public BusResult Read(uint address, AccessWidth width, out uint value)
    {
        var size = (int)width;
        if (IsOptionExtension(address, size))
        {
            // AT32 USD bytes past the F1's 16: read erased (0xFF); their contents are not modeled (assumption).
            value = _chip.Flash.IsBusy ? 0 : size == 4 ? 0xFFFFFFFF : (1u << (8 * size)) - 1;
            return _chip.Flash.IsBusy ? BusResult.Wait : BusResult.Ok;
        }

        var result = _chip.Read(address, width, out value);
        if (result != BusResult.Ok)
        {
            return result;
        }

        value = ApplyByteOverrides(address, size, value);
        if (address >> 2 == AhbEnrAddress >> 2)
        {
            value |= _stickyAhbEnr >> (int)(8 * (address & 3));
            value &= size == 4 ? 0xFFFFFFFF : (1u << (8 * size)) - 1;
        }
        else if (Identity.HasModeKeyRegister && address >> 2 == (Spec.FlashRegistersBase + Stm32F1FlashController.CrOffset) >> 2)
        {
            value |= (_flock ? CrFlock : 0) >> (int)(8 * (address & 3));
            value &= size == 4 ? 0xFFFFFFFF : (1u << (8 * size)) - 1;
        }

        return BusResult.Ok;
    }

    /// <inheritdoc />
    public BusResult Write(uint address, AccessWidth width, uint value)
    {
        var size = (int)width;
        if (IsOptionExtension(address, size))
        {
            return _chip.Flash.IsBusy ? BusResult.Wait : BusResult.Ok; // not modeled (see Read)
        }

        if (address == AhbEnrAddress && width == AccessWidth.Word)
        {
            _stickyAhbEnr = value & Identity.AhbEnrStickyBits.Value;
        }

        if (Identity.HasModeKeyRegister)
        {
            if (address == Spec.FlashRegistersBase + ModeKeyrOffset && width == AccessWidth.Word)
            {
                WriteModeKey(value);
                return BusResult.Ok;
            }

            if (address == Spec.FlashRegistersBase + Stm32F1FlashController.CrOffset && width == AccessWidth.Word && (value & CrFlock) != 0)
            {
                _flock = true; // writing FLOCK = 1 locks fast programming again
            }
        }

        if (IsMainFlash(address, size))
        {
            if (Identity.WriteWhileBusy.Value == CloneBusyWrite.Dropped && _chip.Flash.IsBusy)
            {
                return BusResult.Ok; // APM32: the write is taken by the bus but the half-word is never programmed
            }

            if (width == AccessWidth.Word && Identity.WordWrite.Value == CloneWordWrite.LowHalfOnly)
            {
                return _chip.Write(address, AccessWidth.HalfWord, value & 0xFFFF); // "only one half-word gets written"
            }
        }

        return _chip.Write(address, width, value);
    }

    private static bool Overlaps(uint address, int size, uint start, uint length) =>
        (ulong)address + (ulong)size > start && address < (ulong)start + length;

    private void SetOverride(uint address, ushort value)
    {
        _byteOverrides[address] = (byte)value;
        _byteOverrides[address + 1] = (byte)(value >> 8);
    }

    private uint ApplyByteOverrides(uint address, int size, uint value)
    {
        for (var i = 0; i < size; i++)
        {
            if (_byteOverrides.TryGetValue(address + (uint)i, out var b))
            {
                var shift = 8 * i;
                value = (value & ~(0xFFu << shift)) | ((uint)b << shift);
            }
        }

        return value;
    }

    private bool IsOptionExtension(uint address, int size)
    {
        var start = Spec.OptionBytesAddress + F1OptionBlockBytes;
        return OptionBlockBytes > F1OptionBlockBytes && Overlaps(address, size, start, OptionBlockBytes - F1OptionBlockBytes);
    }

    private bool IsMainFlash(uint address, int size) =>
        Overlaps(address, size, Spec.FlashBase, (uint)Spec.FlashSize) || Overlaps(address, size, 0, (uint)Spec.FlashSize);

    private void WriteModeKey(uint value)
    {
        // Same keys as FLASH_KEYR (reference §5.3); a wrong key restarts the sequence (assumption: the CH32 behaviour on
        // a wrong key is not published).
        if (_modeKeyStage == 0 && value == Spec.FlashKey1)
        {
            _modeKeyStage = 1;
        }
        else if (_modeKeyStage == 1 && value == Spec.FlashKey2)
        {
            _modeKeyStage = 0;
            _flock = false;
        }
        else
        {
            _modeKeyStage = 0;
        }
    }

    private void ResetPeripherals()
    {
        _stickyAhbEnr = 0;
        _flock = true;
        _modeKeyStage = 0;
    }
}

using System.Globalization;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;

namespace ProdFlash.Core.Recipes;

/// <summary>How the programmed flash is checked (DESIGN §5 phase 8).</summary>
public enum VerifyMode
{
    /// <summary>Read every programmed byte back and compare.</summary>
    Readback,

    /// <summary>
    /// Let the chip checksum the programmed ranges where the chip allows it (CRC-32 per block of erase units, then a
    /// readback of a mismatching unit for the evidence); readback elsewhere. The default.
    /// </summary>
    Checksum,

    /// <summary>No verify. Allowed, but the attempt record says so.</summary>
    Off,
}

/// <summary>Which flash is erased before programming (DESIGN §5 phase 6).</summary>
public enum EraseStrategy
{
    /// <summary>The cheapest of the others for this image and chip (the engine decides from the catalog timings).</summary>
    Auto,

    /// <summary>Mass erase the whole flash.</summary>
    Mass,

    /// <summary>Erase only the pages/sectors the image touches.</summary>
    Touched,

    /// <summary>Erase only touched pages whose content differs from the image (needs <see cref="CheckSettings.Preverify"/>).</summary>
    SkipMatching,
}

/// <summary>The firmware image: a path (relative to the image library root), its expected SHA-256, or both.</summary>
/// <param name="Path">Path of the image file, or null when the image is named by hash only.</param>
/// <param name="Sha256">Expected SHA-256 as 64 lower-case hex characters, or null.</param>
public sealed record RecipeImage(string? Path, string? Sha256);

/// <summary>A device the recipe accepts: a catalog part, or a DEV_ID with a flash size.</summary>
/// <param name="Part">The catalog part, or null when the recipe names DEV_ID and flash size only.</param>
/// <param name="DevId">The 12-bit DEV_ID.</param>
/// <param name="FlashKiB">The flash size in KiB the flash-size register must show.</param>
public sealed record ExpectedDevice(DevicePart? Part, ushort DevId, int FlashKiB)
{
    /// <summary>The device of a catalog part.</summary>
    public static ExpectedDevice Of(DevicePart part)
    {
        ArgumentNullException.ThrowIfNull(part);
        return new ExpectedDevice(part, part.Line.DevId, part.FlashKiB);
    }

    /// <summary>Whether a chip with this DBGMCU_IDCODE and flash size is this device.</summary>
    public bool Matches(uint dbgmcuIdcode, int flashKiB) => DeviceCatalog.DevIdOf(dbgmcuIdcode) == DevId && flashKiB == FlashKiB;

    /// <summary>"STM32F103C8", or "DEV_ID 0x410 with 64 KiB".</summary>
    public override string ToString() =>
        Part?.PartNumber.ToUpperInvariant() ?? string.Create(CultureInfo.InvariantCulture, $"DEV_ID 0x{DevId:X3} with {FlashKiB} KiB");
}

/// <summary>
/// Which chips pass the genuineness check: genuine ST parts always; clone families only where named; chips of unknown
/// origin only where <see cref="AllowUnknown"/> is set. Defaults allow genuine parts only.
/// </summary>
/// <param name="AllowedClones">Clone families the product is designed for (from <see cref="KnownCloneFamilies"/>).</param>
/// <param name="AllowUnknown">Whether a chip whose origin cannot be decided passes.</param>
public sealed record GenuinenessPolicy(IReadOnlyList<string> AllowedClones, bool AllowUnknown = false)
{
    /// <summary>The look-alike families the station can name (DESIGN §1 and §6; stm32-targets.md §5.3).</summary>
    public static IReadOnlyList<string> KnownCloneFamilies { get; } = ["CKS32", "CS32", "APM32", "GD32", "CH32", "HK32", "AT32", "AIR32"];

    /// <summary>Genuine ST parts only.</summary>
    public static GenuinenessPolicy RequireGenuine { get; } = new([], false);

    /// <summary>Whether a clone of <paramref name="family"/> passes.</summary>
    public bool Allows(string family) => AllowedClones.Contains(family, StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// What the station accepts of the probe itself. A probe with clone signals (binary, placeholder or malformed serial,
/// a serial shared with another probe; stlink-protocol.md §6) fails the attempt as <see cref="FailureCode.ProbeSuspectClone"/>
/// unless the recipe allows clones (STYLE habit 9: off unless written); then the anomaly is kept as a warning with its
/// evidence and the attempt proceeds.
/// </summary>
/// <param name="AllowClone">Whether a probe that looks like a clone may program units (default false).</param>
public sealed record ProbePolicy(bool AllowClone = false)
{
    /// <summary>Genuine-looking probes only.</summary>
    public static ProbePolicy Default { get; } = new();
}

/// <summary>The target-voltage window in volts.</summary>
/// <param name="Min">Lowest allowed voltage.</param>
/// <param name="Max">Highest allowed voltage.</param>
public sealed record VoltageWindow(double Min, double Max)
{
    /// <summary>3.0 V to 3.6 V: a 3.3 V board, and 3.6 V is the top of the STM32 operating range.</summary>
    public static VoltageWindow Board3V3 { get; } = new(3.0, 3.6);

    /// <summary>Whether <paramref name="volts"/> lies in the window (inclusive).</summary>
    public bool Contains(double volts) => volts >= Min && volts <= Max;
}

/// <summary>How to connect: mode, SWD frequency, slower fallbacks and which retries are allowed.</summary>
/// <param name="Mode">The first connect mode.</param>
/// <param name="FrequencyKHz">The SWD clock for the first try.</param>
/// <param name="FallbackKHz">Slower clocks to retry at, fastest first.</param>
/// <param name="RetryUnderReset">Whether a failed normal or hot-plug connect is retried under reset.</param>
/// <param name="RetrySlower">Whether a failed connect is retried at <paramref name="FallbackKHz"/>.</param>
public sealed record ConnectSettings(ConnectMode Mode, int FrequencyKHz, IReadOnlyList<int> FallbackKHz, bool RetryUnderReset, bool RetrySlower)
{
    /// <summary>4000 kHz, the fastest entry of the ST-LINK/V2 SWD table (stlink-protocol.md §2.3).</summary>
    public const int DefaultFrequencyKHz = 4000;

    /// <summary>
    /// Normal mode at 4000 kHz; retries under reset, then at 1800 kHz (OpenOCD's ST-LINK default) and 480 kHz
    /// (stlink-protocol.md §2.3).
    /// </summary>
    public static ConnectSettings Default { get; } = new(ConnectMode.Normal, DefaultFrequencyKHz, [1800, 480], true, true);

    /// <summary>The tries in the order the engine makes them.</summary>
    public IReadOnlyList<ConnectTry> Tries()
    {
        var tries = new List<ConnectTry> { new(Mode, FrequencyKHz) };
        var mode = Mode;
        if (RetryUnderReset && Mode != ConnectMode.UnderReset)
        {
            mode = ConnectMode.UnderReset;
            tries.Add(new ConnectTry(mode, FrequencyKHz));
        }

        if (RetrySlower)
        {
            tries.AddRange(FallbackKHz.Select(f => new ConnectTry(mode, f)));
        }

        return tries;
    }
}

/// <summary>Checks around programming.</summary>
/// <param name="Verify">How programmed bytes are checked.</param>
/// <param name="Preverify">Read the flash before erasing and skip pages that already hold the image.</param>
public sealed record CheckSettings(VerifyMode Verify, bool Preverify)
{
    /// <summary>
    /// Checksum verify (the chip's CRC unit where the chip and probe allow it, readback elsewhere; docs/onchip-verify.md),
    /// no preverify.
    /// </summary>
    public static CheckSettings Default { get; } = new(VerifyMode.Checksum, false);
}

/// <summary>
/// The option-byte policy. Risky permissions default to false (STYLE habit 9): regressing RDP 1 → 0 mass-erases the
/// chip; removing write protection; setting RDP level 2, which is irreversible.
/// </summary>
/// <param name="UserBits">Expected/target values of user option fields by the catalog's names ("WDG_SW", "nRST_STOP").</param>
/// <param name="FinalRdp">The readout-protection level programmed in the Finalize phase.</param>
/// <param name="AllowRdpRegression">Whether a chip at RDP level 1 may be regressed to 0 (mass erase).</param>
/// <param name="AllowWriteProtectionRemoval">Whether write protection over the image may be lifted.</param>
/// <param name="ConfirmPermanentLock">Must be true when <paramref name="FinalRdp"/> is level 2.</param>
public sealed record OptionBytePolicy(
    IReadOnlyDictionary<string, uint> UserBits,
    RdpLevel FinalRdp,
    bool AllowRdpRegression = false,
    bool AllowWriteProtectionRemoval = false,
    bool ConfirmPermanentLock = false)
{
    /// <summary>No user-bit expectations, RDP stays at level 0, no risky permission.</summary>
    public static OptionBytePolicy Default { get; } = new(new Dictionary<string, uint>(), RdpLevel.Level0);
}

/// <summary>Per-phase time limits.</summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed class PhaseTimeouts
{
    /// <summary>
    /// The factor a chip's datasheet maximum is multiplied by to make a default limit (<see cref="For"/>): twice the
    /// longest legal operation, so a chip at its slowest still finishes well inside the limit.
    /// </summary>
    public const double MaximumTimeMargin = 2.0;

    private readonly Dictionary<AttemptPhase, TimeSpan> _limits;
    private readonly HashSet<AttemptPhase> _set;

    /// <summary>Creates the limits; phases not named take <see cref="DefaultFor"/> (or <see cref="For"/> with a part).</summary>
    public PhaseTimeouts(IReadOnlyDictionary<AttemptPhase, TimeSpan> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        _limits = Enum.GetValues<AttemptPhase>().ToDictionary(p => p, p => overrides.TryGetValue(p, out var t) ? t : DefaultFor(p));
        _set = [.. overrides.Keys];
    }

    /// <summary>The defaults for every phase.</summary>
    public static PhaseTimeouts Default { get; } = new(new Dictionary<AttemptPhase, TimeSpan>());

    /// <summary>The limit of <paramref name="phase"/> without a part: the recipe's value or <see cref="DefaultFor"/>.</summary>
    public TimeSpan this[AttemptPhase phase] => _limits[phase];

    /// <summary>Whether the recipe sets the limit of <paramref name="phase"/> itself.</summary>
    public bool IsSet(AttemptPhase phase) => _set.Contains(phase);

    /// <summary>
    /// The limit of <paramref name="phase"/> on <paramref name="part"/>: the recipe's value where it sets one, otherwise
    /// the larger of <see cref="DefaultFor"/> and <see cref="DerivedFor"/>, so a legal operation at the chip's datasheet
    /// maximum never times out (an F4 RDP 1→0 regression mass-erases inside the option-bytes phase: up to 32 s in x8).
    /// </summary>
    /// <param name="phase">The phase.</param>
    /// <param name="part">The identified part, or null before identification (then <see cref="DefaultFor"/> applies).</param>
    public TimeSpan For(AttemptPhase phase, DevicePart? part)
    {
        if (IsSet(phase) || part is null)
        {
            return _limits[phase];
        }

        var derived = DerivedFor(phase, part);
        return derived is { } d && d > _limits[phase] ? d : _limits[phase];
    }

    /// <summary>
    /// The default limit of a phase. Erase allows 60 s because an F4 mass erase can take up to 32 s in x8 mode and
    /// OpenOCD gives an H7 mass erase 30 s (stm32-targets.md §3.4); program and verify allow 120 s because 1 MiB of F1
    /// flash at the 70 µs maximum half-word time takes 37 s (DS5319 Table 28, stm32-targets.md §3.4), tripled for
    /// margin; finalize allows 20 s for an option-byte program and reload; the others are a few USB round trips and
    /// allow 10 s. <see cref="For"/> raises the option-bytes and erase limits from the part's maximum times.
    /// </summary>
    public static TimeSpan DefaultFor(AttemptPhase phase) => phase switch
    {
        AttemptPhase.Erase => TimeSpan.FromSeconds(60),
        AttemptPhase.Program or AttemptPhase.Verify => TimeSpan.FromSeconds(120),
        AttemptPhase.Finalize => TimeSpan.FromSeconds(20),
        _ => TimeSpan.FromSeconds(10),
    };

    /// <summary>
    /// The limit the part's own maximum flash times call for, or null where the phase does not depend on them:
    /// option bytes = <see cref="DefaultFor"/> (the USB round trips) + <see cref="MaximumTimeMargin"/> × (longest mass
    /// erase + one option-byte operation), because an RDP 1→0 regression mass-erases (every catalog family); erase =
    /// <see cref="MaximumTimeMargin"/> × the longest mass erase. "Longest" is the catalog maximum, else its typical
    /// (<see cref="FlashTimings"/>: F4 32 s, the x8 bound of OpenOCD stm32f2x.c, which covers every PSIZE).
    /// </summary>
    public static TimeSpan? DerivedFor(AttemptPhase phase, DevicePart part)
    {
        ArgumentNullException.ThrowIfNull(part);
        var timings = part.Timings;
        var massErase = Longest(timings.MassErase);
        switch (phase)
        {
            case AttemptPhase.OptionBytes when part.Family.OptionBytes.Rdp.RegressionMassErases && massErase is { } mass:
                var option = Longest(timings.OptionBytes) ?? TimeSpan.Zero;
                return DefaultFor(phase) + ((mass + option) * MaximumTimeMargin);
            case AttemptPhase.Erase when massErase is { } mass:
                return mass * MaximumTimeMargin;
            default:
                return null;
        }
    }

    private static TimeSpan? Longest(TimingRange range) => range.Maximum ?? range.Typical;
}

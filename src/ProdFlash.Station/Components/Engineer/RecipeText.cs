using System.Globalization;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Recipes;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Library;

namespace ProdFlash.Station.Components.Engineer;

/// <summary>One line of a recipe written in plain words.</summary>
/// <param name="Key">A short stable key (used as the row's <c>data-fact</c>).</param>
/// <param name="Label">What the line is about ("Voltage window").</param>
/// <param name="Value">The setting in plain words.</param>
public sealed record RecipeFact(string Key, string Label, string Value);

/// <summary>How the engineer pages write a recipe's settings: in words, not JSON.</summary>
public static class RecipeText
{
    /// <summary>The address of a recipe's detail page.</summary>
    public static string DetailHref(int id) => string.Create(CultureInfo.InvariantCulture, $"/engineering/recipes/{id}");

    /// <summary>The address of the list page with a new draft copied from recipe <paramref name="id"/>.</summary>
    public static string CopyHref(int id) => string.Create(CultureInfo.InvariantCulture, $"/engineering/recipes?from={id}");

    /// <summary>
    /// The recipe of a stored record, or null with <paramref name="error"/> when its JSON no longer loads (the store
    /// validated it when it was written; a later catalog change can still make it fail).
    /// </summary>
    public static Recipe? TryParse(RecipeRecord record, out string? error)
    {
        ArgumentNullException.ThrowIfNull(record);
        try
        {
            error = null;
            return RecipeStore.Parse(record.Json);
        }
        catch (LibraryValidationException e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>The devices a recipe accepts: <c>STM32F103C8, DEV_ID 0x410 with 128 KiB</c>.</summary>
    public static string Parts(Recipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        return string.Join(", ", recipe.Devices.Select(d => d.ToString()));
    }

    /// <summary>Every setting of <paramref name="recipe"/> in plain words, in the order an attempt uses them.</summary>
    public static IReadOnlyList<RecipeFact> Describe(Recipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        return
        [
            new("parts", "Parts it expects", Parts(recipe)),
            new("genuineness", "Genuineness", Genuineness(recipe.Genuineness)),
            new("voltage", "Voltage window", string.Create(CultureInfo.InvariantCulture, $"{recipe.Voltage.Min:0.00} V to {recipe.Voltage.Max:0.00} V at the probe's VCC sense")),
            new("connect", "Connect", Connect(recipe.Connect)),
            new("erase", "Erase", Erase(recipe.Erase)),
            new("verify", "Verify", Verify(recipe.Checks)),
            new("option-bytes", "Option bytes", OptionBytes(recipe.OptionBytes)),
            new("serial", "Serial scheme", Serial(recipe)),
            new("serial-address", "Serial record address", SerialAddress(recipe)),
            new("timeouts", "Time limits", Timeouts(recipe.Timeouts)),
        ];
    }

    private static string Genuineness(GenuinenessPolicy policy)
    {
        var text = policy.AllowedClones.Count == 0
            ? "genuine ST chips only"
            : $"genuine ST chips and clones of {string.Join(", ", policy.AllowedClones)}";
        return policy.AllowUnknown ? text + "; chips of unknown origin pass too" : text + "; chips of unknown origin fail";
    }

    private static string Connect(ConnectSettings connect)
    {
        var first = string.Create(CultureInfo.InvariantCulture, $"{Mode(connect.Mode)} at {connect.FrequencyKHz} kHz");
        var retries = new List<string>();
        if (connect.RetryUnderReset && connect.Mode != ConnectMode.UnderReset)
        {
            retries.Add("again under reset");
        }

        if (connect.RetrySlower && connect.FallbackKHz.Count > 0)
        {
            retries.Add("then slower at " + string.Join(", ", connect.FallbackKHz.Select(f => f.ToString(CultureInfo.InvariantCulture))) + " kHz");
        }

        return retries.Count == 0 ? first + "; no retry" : $"{first}; if no answer, {string.Join(", ", retries)}";
    }

    private static string Mode(ConnectMode mode) => mode switch
    {
        ConnectMode.Normal => "normal (firmware running, NRST untouched)",
        ConnectMode.UnderReset => "under reset (NRST held low while attaching)",
        ConnectMode.HotPlug => "hot-plug (no reset, core not halted)",
        _ => mode.ToString(),
    };

    private static string Erase(EraseStrategy erase) => erase switch
    {
        EraseStrategy.Auto => "the cheapest way for the image and chip (mass, touched pages, or changed pages only)",
        EraseStrategy.Mass => "mass erase of the whole flash",
        EraseStrategy.Touched => "only the pages/sectors the image touches",
        EraseStrategy.SkipMatching => "only touched pages whose content differs from the image",
        _ => erase.ToString(),
    };

    private static string Verify(CheckSettings checks)
    {
        var verify = checks.Verify switch
        {
            VerifyMode.Readback => "every programmed byte is read back and compared",
            VerifyMode.Checksum => "the chip checksums the programmed ranges where it can, readback elsewhere",
            VerifyMode.Off => "no verify (the attempt record says so)",
            _ => checks.Verify.ToString(),
        };
        return checks.Preverify ? verify + "; the flash is read first and pages already holding the image are skipped" : verify;
    }

    private static string OptionBytes(OptionBytePolicy policy)
    {
        var rdp = policy.FinalRdp switch
        {
            RdpLevel.Level0 => "readout protection stays at level 0 (none)",
            RdpLevel.Level1 => "readout protection set to level 1 at the end (flash hidden from the debugger)",
            _ => "readout protection set to level 2 at the end (PERMANENT: the debug port closes for good)",
        };
        var user = policy.UserBits.Count == 0
            ? "user bits not checked"
            : "user bits " + string.Join(", ", policy.UserBits.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Key}={b.Value}")));
        var regression = policy.AllowRdpRegression ? "a chip at level 1 may be regressed (this mass-erases it)" : "a chip at level 1 is not regressed";
        var wrp = policy.AllowWriteProtectionRemoval ? "write protection over the image may be lifted" : "write protection is not lifted";
        return $"{rdp}; {user}; {regression}; {wrp}";
    }

    private static string Serial(Recipe recipe) => recipe.Serial is { } serial
        ? string.Create(CultureInfo.InvariantCulture, $"\"{serial.Text}\", sequence from {serial.Start} in steps of {serial.Step}")
        : "no serial record";

    private static string SerialAddress(Recipe recipe) => recipe.Serial is { } serial
        ? string.Create(CultureInfo.InvariantCulture, $"0x{serial.Address:X8}, {serial.Layout.Length} bytes")
        : "—";

    private static string Timeouts(PhaseTimeouts timeouts) => string.Join(", ",
        Enum.GetValues<AttemptPhase>().Select(p => string.Create(CultureInfo.InvariantCulture, $"{p} {timeouts[p].TotalSeconds:0.#} s")));
}

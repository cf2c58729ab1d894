namespace ProdFlash.Core.Diagnostics;

/// <summary>
/// The one table of titles, ranked causes and remedies for every <see cref="FailureCode"/>. Diagnoses, the dashboard,
/// the CLI and <c>docs/failure-codes.md</c> all read it from here.
/// </summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public static class FailureCatalog
{
    private const string Targets6 = "stm32-targets.md §6";
    private const string Targets41 = "stm32-targets.md §4.1";
    private const string Targets53 = "stm32-targets.md §5.3";
    private const string Probe6 = "stlink-protocol.md §6";
    private const string Probe43 = "stlink-protocol.md §4.3";
    private const string Design4 = "DESIGN §4";
    private const string Design5 = "DESIGN §5";
    private const string Design9 = "DESIGN §9";

    private static readonly Dictionary<FailureCode, FailureInfo> s_byCode = Build().ToDictionary(i => i.Code);

    /// <summary>Every entry, in the order of <see cref="FailureCode"/>.</summary>
    public static IReadOnlyList<FailureInfo> All { get; } = [.. s_byCode.Values.OrderBy(i => i.Code)];

    /// <summary>The entry for <paramref name="code"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/> is not a defined member.</exception>
    public static FailureInfo Get(FailureCode code) =>
        s_byCode.TryGetValue(code, out var info) ? info : throw new ArgumentOutOfRangeException(nameof(code), code, "Not a defined failure code.");

    private static CitedText C(string text, string source) => new(text, source);

    private static IEnumerable<FailureInfo> Build()
    {
        yield return new(FailureCode.ProbeNotFound, "Probe not found",
            [
                C("The probe's USB cable is unplugged, or the probe sits on a different USB port than the slot expects.", Design4),
                C("The slot names a different probe serial (the probe was swapped).", Design4),
                C("Another program (STM32CubeProgrammer, an stlink-server instance, OpenOCD) holds the probe.", Targets6),
            ],
            [
                C("Check the probe's USB cable.", Design4),
                C("Run 'prodflash probes' and compare the listed serials with the slot's probe selector.", Design9),
                C("Close other programming tools on this PC.", Targets6),
            ]);
        yield return new(FailureCode.ProbeDisconnected, "Probe disconnected",
            [
                C("The USB cable was pulled or has a loose contact.", Design5),
                C("The probe reset itself, for example after an electrostatic discharge or a short on the target connector.", Design5),
                C("The stlink-server the probe was reached through stopped.", Design4),
            ],
            [
                C("Re-seat the USB cable and press Start again.", Design5),
                C("If it happens again, replace the cable or the probe.", Design5),
            ]);
        yield return new(FailureCode.ProbeDuplicateSerial, "Two probes share one serial number",
            [
                C("Cheap ST-LINK/V2 clones often share one serial number or show garbage serials.", Probe6),
                C("Old ST-LINK firmware reports the placeholder serial 303030303030303030303031 (\"000000000001\").", Probe6),
            ],
            [
                C("Name these probes by USB port (stlink://usb?port=...) instead of by serial.", Design4),
                C("Replace clone probes with genuine ST-LINK probes.", Probe6),
            ]);
        yield return new(FailureCode.ProbeSuspectClone, "Probe looks like a clone",
            [
                C("A cloned ST-LINK/V2 with a fake STM32F103 inside; its serial is missing, implausible or binary.", Probe6),
                C("A genuine probe with old firmware also reports a binary (12-byte) serial, so this is a suspicion, not proof.", Probe6),
            ],
            [
                C("Replace the probe with a genuine ST-LINK.", Probe6),
                C("Try ST's firmware upgrade on it: the upgrade fails on clones.", Probe6),
            ]);
        yield return new(FailureCode.ProbeFirmwareTooOld, "Probe firmware too old",
            [
                C("The probe's firmware predates a command the station needs.", Probe43),
            ],
            [
                C("Upgrade the probe firmware with ST's ST-LINK upgrade tool.", Probe43),
                C("If the upgrade fails, the probe may be a clone; replace it.", Probe6),
            ]);
        yield return new(FailureCode.TargetNotPowered, "Target not powered",
            [
                C("The board is not powered (fixture supply off, or the board is not seated).", Targets6),
                C("The probe's VCC sense pin (pin 1 on the 20-pin ST-LINK/V2 connector) is not wired to the board's supply.", Targets6),
                C("A clone dongle without a sense pin is in use.", Targets6),
            ],
            [
                C("Check that the board is powered.", Targets6),
                C("Check that the probe's VCC sense pin is wired to the board's 3.3 V.", Targets6),
            ]);
        yield return new(FailureCode.ProbeCannotMeasureVoltage, "Probe cannot measure target voltage",
            [
                C("The probe's voltage-measuring circuit is broken: it returns 0 for both ADC channels (seen on a genuine Discovery board).", Probe6),
                C("A clone dongle without a sense circuit.", Targets6),
            ],
            [
                C("Replace the probe.", Probe6),
                C("Measure the board's supply with a meter to rule out a power fault.", Design5),
            ]);
        yield return new(FailureCode.TargetVoltageOutOfRange, "Target voltage out of range",
            [
                C("The board's regulator or the fixture supply is faulty or overloaded.", Targets6),
                C("The VCC sense wire touches the wrong net or has a poor contact.", Targets6),
                C("The recipe's voltage window does not fit this board.", Design5),
            ],
            [
                C("Measure the board's supply with a meter and check the fixture supply.", Targets6),
                C("Check the VCC sense wire and the pogo pins.", Targets6),
            ]);
        yield return new(FailureCode.NoSwdResponse, "No answer on SWD",
            [
                C("SWDIO, SWCLK or GND is not connected (pogo pin, cable, wrong connector orientation).", Targets6),
                C("The chip is not powered or not fitted, or it is damaged.", Targets6),
                C("The firmware has turned the SWD pins off and NRST is not wired, so connecting under reset is impossible.", Targets6),
                C("Readout protection level 2 closes the debug port for good.", Targets6),
            ],
            [
                C("Check the SWD wiring: SWDIO pin 7, SWCLK pin 9, GND on the 20-pin ST-LINK/V2 connector.", Targets6),
                C("Wire NRST to probe pin 15 and connect under reset.", Targets6),
                C("Set BOOT0 high, reset and connect, so the user firmware does not run.", Targets6),
            ]);
        yield return new(FailureCode.SwdUnstable, "SWD connection unstable",
            [
                C("Long or unshielded SWD wires, or poor pogo-pin contact, at too high an SWD frequency.", Design5),
                C("Noise from the board's power supply or a missing common ground.", Design5),
            ],
            [
                C("Lower the SWD frequency in the recipe.", Design5),
                C("Shorten the SWD wires, check GND and clean the pogo pins.", Design5),
            ]);
        yield return new(FailureCode.TargetLowPowerOrPinsRemapped, "Target asleep or SWD pins taken by firmware",
            [
                C("The firmware enters Sleep/Stop/Standby right after reset, which stops the debug port.", Targets6),
                C("The firmware reconfigures the SWD pins (F1: AFIO_MAPR SWJ_CFG = 100, JTAG and SW off).", Targets6),
                C("NRST is not wired or is held by a pull-down, so connecting under reset cannot help.", Targets6),
            ],
            [
                C("Connect under reset: wire NRST to probe pin 15 and set the recipe's connect mode to under-reset.", Targets6),
                C("Once connected, mass-erase the chip so the firmware no longer runs.", Targets6),
                C("Set BOOT0 high, reset and connect.", Targets6),
            ]);
        yield return new(FailureCode.WrongDevice, "Wrong chip on the board",
            [
                C("The board carries a different STM32 than the recipe expects (assembly mix-up or wrong board variant).", Design5),
                C("The wrong recipe is selected for this product.", Design5),
            ],
            [
                C("Check the chip marking against the bill of materials.", Design5),
                C("Select the recipe for this product.", Design5),
            ]);
        yield return new(FailureCode.CounterfeitDevice, "Counterfeit or clone chip",
            [
                C("The chip is a look-alike (CKS32/CS32, APM32, GD32, CH32, HK32, AT32) marked or reporting itself as an STM32.", Targets53),
                C("The part was bought outside authorised distribution.", Targets53),
            ],
            [
                C("Quarantine the board and report the lot to purchasing.", Targets53),
                C("An engineer may allow this clone by name in the recipe if the product is designed for it.", Design5),
            ]);
        yield return new(FailureCode.FlashSizeMismatch, "Flash size does not match the part",
            [
                C("A different ordering code of the same line is fitted (for example STM32F103C8 instead of CB).", Design5),
                C("A clone chip reports a different flash size.", Targets53),
            ],
            [
                C("Check the chip marking against the bill of materials.", Design5),
                C("Select the recipe for the fitted part.", Design5),
            ]);
        yield return new(FailureCode.ReadoutProtected, "Chip is read-protected (RDP level 1)",
            [
                C("The chip was programmed and locked before (a returned or reworked board).", Targets41),
            ],
            [
                C("If the recipe allows it, the station removes level 1 with a mass erase; otherwise an engineer must allow RDP regression in the recipe.", Targets6),
                C("After regression the chip needs a power cycle or option-byte reload.", Targets6),
            ]);
        yield return new(FailureCode.ReadoutProtectedPermanently, "Chip is locked for good (RDP level 2)",
            [
                C("Readout protection level 2 was set; it disables the debug port permanently, also under reset.", Targets6),
            ],
            [
                C("None: the chip cannot be reprogrammed. Replace the chip or scrap the board.", Targets6),
            ]);
        yield return new(FailureCode.WriteProtected, "Flash is write-protected",
            [
                C("Write protection was set on pages the image needs (an earlier program or a locked board).", Design5),
            ],
            [
                C("An engineer may allow write-protection removal in the recipe; removal takes effect after an option-byte reload.", Design5),
            ]);
        yield return new(FailureCode.OptionBytesMismatch, "Option bytes differ from the recipe",
            [
                C("The chip carries option bytes from an earlier program or from the factory that differ from the recipe.", Design5),
                C("The recipe's expected option bytes are wrong for this product.", Design5),
            ],
            [
                C("Let the recipe program the target option bytes in the Finalize phase, or correct the recipe.", Design5),
            ]);
        yield return new(FailureCode.EraseFailed, "Erase failed",
            [
                C("The page is write-protected or the chip is read-protected.", Targets6),
                C("The supply voltage dropped during the erase.", Targets6),
                C("The flash is worn out or damaged.", Design5),
            ],
            [
                C("Check the board's supply and press Start again.", Targets6),
                C("If it fails again on the same board, scrap the chip.", Design5),
            ]);
        yield return new(FailureCode.ProgramFailed, "Programming failed",
            [
                C("The flash was not erased where the image is written, or the page is write-protected.", Design5),
                C("The supply voltage dropped during programming.", Targets6),
                C("A clone chip that needs different programming timing.", Targets53),
            ],
            [
                C("Press Start again; the station erases and programs again.", Design5),
                C("If it fails again on the same board, check the supply and the chip's genuineness.", Targets53),
            ]);
        yield return new(FailureCode.VerifyMismatch, "Read-back differs from the image",
            [
                C("A flash cell did not program (stuck bit, worn or damaged flash).", Design5),
                C("The firmware ran between programming and verify and changed the flash.", Design5),
                C("Unstable SWD reads returned wrong data.", Design5),
            ],
            [
                C("Press Start again; if the same address fails again, scrap the chip.", Design5),
                C("Lower the SWD frequency in the recipe if mismatches move around.", Design5),
            ]);
        yield return new(FailureCode.SerialWriteFailed, "Serial number could not be written",
            [
                C("The serial record's address is not erased, is write-protected, or is outside the flash.", Design5),
                C("The flash failed to program there.", Design5),
            ],
            [
                C("Press Start again; the failed serial number is voided and a new one is issued.", Design5),
                C("An engineer should check the recipe's serial address against the image.", Design5),
            ]);
        yield return new(FailureCode.OptionBytesWriteFailed, "Final option bytes could not be written",
            [
                C("The option-byte write was refused or the supply dropped while writing.", Targets6),
                C("The new option bytes did not load (reload or power cycle missing).", Targets41),
            ],
            [
                C("Power-cycle the board and press Start again.", Targets41),
            ]);
        yield return new(FailureCode.ImageIntegrityFailed, "Firmware image damaged or replaced",
            [
                C("The image file was changed or replaced after the recipe was released.", Design5),
                C("The file is damaged on disk.", Design5),
            ],
            [
                C("Do not program; ask an engineer to re-release the recipe with the correct image.", Design5),
            ]);
        yield return new(FailureCode.Timeout, "Step took too long",
            [
                C("The probe or the chip stopped answering (loose contact, probe hang).", Design5),
                C("The recipe's time limit is too short for this chip's flash timings.", Design5),
            ],
            [
                C("Re-seat the board and press Start again.", Design5),
                C("If it repeats, an engineer should check the recipe's time limits.", Design5),
            ]);
        yield return new(FailureCode.Aborted, "Stopped by the operator",
            [
                C("Stop was pressed, or the line controller stopped the run.", Design5),
            ],
            [
                C("Press Start to program the board again.", Design5),
            ]);
        yield return new(FailureCode.Interrupted, "Interrupted (station restarted)",
            [
                C("The station crashed or lost power during the attempt.", Design9),
            ],
            [
                C("Program the board again; its serial number from the interrupted attempt is void and a new one is issued.", Design9),
            ]);
    }
}

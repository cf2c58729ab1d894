using ProdFlash.Emulator.Faults;
using ProdFlash.Emulator.StLink;
using ProdFlash.Probes.StLink;
using ProdFlash.Testing.StLink;

namespace ProdFlash.Emulator.Tests.Driver;

/// <summary>The driver contract against the emulator's in-process wire, one class per personality.</summary>
public abstract class EmulatorContractTests : StLinkDriverContract
{
    /// <summary>Personality name for <see cref="EmulatedProbes.Create(string, string, FaultSet, int, TimeProvider, bool)"/>.</summary>
    protected abstract string Personality { get; }

    /// <summary>Nothing is mapped at 0x30000000 on the F103 (RM0008 §3.3 memory map).</summary>
    protected override uint UnmappedAddress => 0x3000_0000;

    protected override IStLinkWire CreateWire() =>
        new EmulatedStLinkWire(EmulatedProbes.Create("stm32f103c8", Personality, FaultSet.None, 0, TimeProvider.System, realTime: false));
}

/// <summary>ST-LINK/V2 on V2J37S7: every command of the driver.</summary>
public sealed class V2J37ContractTests : EmulatorContractTests
{
    protected override string Personality => "v2j37";
}

/// <summary>ST-LINK/V2 on V2J17S4: no SWD_SET_FREQ (J22) and no DAP register access (J24).</summary>
public sealed class V2J17ContractTests : EmulatorContractTests
{
    protected override string Personality => "v2j17";

    protected override string ExpectedFirmware => "V2J17S4";

    protected override int? AppliedFrequencyFor1800KHz => null;

    protected override bool HasDapRegisters => false;
}

/// <summary>ST-LINK/V2-1 (Nucleo) on V2J40M27, PID 0x374B.</summary>
public sealed class V21J40ContractTests : EmulatorContractTests
{
    protected override string Personality => "v21j40";

    protected override string ExpectedFirmware => "V2J40M27";

    protected override ushort ExpectedProductId => 0x374B;
}

/// <summary>STLINK-V3SET on V3J9M3B5S1, PID 0x374F: COM_FREQ table, 1800 kHz asked gives 1000 kHz (next lower entry).</summary>
public sealed class V3J9ContractTests : EmulatorContractTests
{
    protected override string Personality => "v3j9";

    protected override string ExpectedFirmware => "V3J9M3B5S1";

    protected override ushort ExpectedProductId => 0x374F;

    protected override int? AppliedFrequencyFor1800KHz => 1000;
}

/// <summary>A clone reporting V2J37S7 with a binary serial: the protocol is the genuine one.</summary>
public sealed class CloneContractTests : EmulatorContractTests
{
    protected override string Personality => "clone";
}

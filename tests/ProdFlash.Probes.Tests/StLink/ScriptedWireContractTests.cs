using ProdFlash.Probes.Arm;
using ProdFlash.Probes.StLink;
using ProdFlash.Testing.StLink;

namespace ProdFlash.Probes.Tests.StLink;

/// <summary>The contract against the scripted wire of this test project.</summary>
public sealed class ScriptedWireContractTests : StLinkDriverContract
{
    protected override uint UnmappedAddress => 0x60000000;

    protected override IStLinkWire CreateWire()
    {
        var chip = new ScriptedSwdTarget();
        chip.Words[CortexM.Cpuid] = 0x411FC231;
        chip.FaultRanges.Add((0x60000000, 0xA0000000));
        return new FakeStLinkWire { Responder = chip.Respond };
    }
}

using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Targets;
using ProdFlash.Programming.Engine;
using ProdFlash.Programming.Flash;

namespace ProdFlash.Programming.Tests.Engine;

/// <summary>What the operator reads when the flash driver fails in a way no status flag explains.</summary>
public sealed class FailureMapperTests
{
    private static readonly ProbeDescription s_probe = new("ST-LINK/V2", "V2J37S7", "emulator://stm32g071rb");

    [Fact]
    public void Map_LoaderStalled_ProgramFailedSayingWhatTheLoaderDidWithItsRegistersAsEvidence()
    {
        // Arrange: the loader's own account of a stall (FlashDriverBase.LoaderFailureAsync), not a status-flag error.
        const string Message = "The programming loader on stm32g071rb's CPU programmed nothing for 250 ms: PC=0x2000001C (inside the loader), next flash address 0x08004000, 12 units left, SR=0x00000000.";
        var error = new FlashOperationException(FlashFailureKind.LoaderFailed, Message, 0x0800_4000, new Dictionary<string, uint>
        {
            ["PC"] = 0x2000_001C,
            ["R3"] = 0x0800_4000,
            ["SR"] = 0,
        });

        // Act
        var diagnosis = FailureMapper.Map(error, AttemptPhase.Program, s_probe);

        // Assert: the summary is the loader's evidence, not "no error flag (status register 0x00000000)".
        Assert.Equal(FailureCode.ProgramFailed, diagnosis.Code);
        Assert.Equal(AttemptPhase.Program, diagnosis.Phase);
        Assert.Equal(Message, diagnosis.Summary);
        Assert.Contains(diagnosis.Evidence, e => e.Name == "PC" && e.Measured == "0x2000001C");
        Assert.Contains(diagnosis.Evidence, e => e.Name == "R3" && e.Measured == "0x08004000");
    }
}

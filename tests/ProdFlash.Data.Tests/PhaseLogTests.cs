using ProdFlash.Core.Diagnostics;
using ProdFlash.Data.Entities;

namespace ProdFlash.Data.Tests;

public sealed class PhaseLogTests
{
    [Fact]
    public void Serialize_TwoPhases_WritesCompactPositionalArrays()
    {
        // Arrange
        PhaseRecord[] phases = [new(AttemptPhase.Probe, 0.012, new Dictionary<string, string> { ["fw"] = "V2J45S7" }), new(AttemptPhase.Power, 0.004)];

        // Act
        var json = PhaseLog.Serialize(phases);

        // Assert
        Assert.Equal("""[["Probe",0.012,{"fw":"V2J45S7"}],["Power",0.004]]""", json);
    }

    [Fact]
    public void Deserialize_SerializedLog_RoundTrips()
    {
        // Arrange
        var json = PhaseLog.Serialize([new PhaseRecord(AttemptPhase.Program, 1.72, new Dictionary<string, string> { ["bytes"] = "65536" }), new PhaseRecord(AttemptPhase.Verify, 0.31)]);

        // Act
        var phases = PhaseLog.Deserialize(json);

        // Assert
        Assert.Equal([(AttemptPhase.Program, 1.72), (AttemptPhase.Verify, 0.31)], phases.Select(p => (p.Phase, p.Seconds)));
        Assert.Equal("65536", phases[0].Measurements!["bytes"]);
        Assert.Null(phases[1].Measurements);
    }

    [Fact]
    public void Deserialize_UnknownPhase_ThrowsStationDataException()
    {
        // Act
        var error = Assert.Throws<StationDataException>(() => PhaseLog.Deserialize("""[["Warp",1]]"""));

        // Assert
        Assert.Contains("phase log", error.Message, StringComparison.Ordinal);
    }
}

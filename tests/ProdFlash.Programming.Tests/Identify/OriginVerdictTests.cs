using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Programming.Identify;

namespace ProdFlash.Programming.Tests.Identify;

/// <summary>The origin verdict from identity values of stm32-targets.md §5.3 (genuine F103 and its look-alikes).</summary>
public sealed class OriginVerdictTests
{
    private static readonly DeviceFamily s_f1 = DeviceCatalog.Default.FindFamily("f1")!;

    // Genuine STM32F103: SW-DP 0x1BA01477, CPUID 0x411FC231 (r1p1), AHB-AP 0x14770011, ROM designer ST 0x020 with
    // PART 0x410, DBGMCU DEV 0x410 REV 0x2003 (§5.3).
    private static readonly DebugIdentity s_genuine = new(0x1BA01477, 0x411FC231, 0x14770011, 0x020, 0x20036410);

    // The r2p1 look-alikes' common identity: SW-DP 0x2BA01477, CPUID 0x412FC231, ARM ROM table 0x43B (§5.3).
    private static readonly DebugIdentity s_r2p1 = new(0x2BA01477, 0x412FC231, 0x24770011, 0x43B, 0x20036410);

    [Fact]
    public void Decide_GenuineF103Values_GenuineWithComparedValuesAsEvidence()
    {
        // Act
        var (verdict, clone, evidence) = TargetIdentifier.Decide(s_genuine, s_f1, 0x410, etm: null);

        // Assert
        Assert.Equal(OriginVerdict.GenuineSt, verdict);
        Assert.Null(clone);
        Assert.Contains(evidence, e => e.Name == "SW-DP IDCODE" && e.Measured == "0x1BA01477" && e.Expected == "0x1BA01477");
    }

    [Theory]
    [InlineData(true, "CKS32")]
    [InlineData(false, "APM32")]
    public void Decide_ArmCortexM3RomTable_CksWithEtmApmWithout(bool etm, string family)
    {
        // Act: the ETM entry (0xE00FF014 bit 0) separates CKS32 (present) from APM32 (absent) (§5.3, AVS).
        var (verdict, clone, evidence) = TargetIdentifier.Decide(s_r2p1, s_f1, TargetIdentifier.RomPartCortexM3, etm);

        // Assert
        Assert.Equal(OriginVerdict.Clone, verdict);
        Assert.Equal(family, clone);
        Assert.Contains(evidence, e => e.Name == "SW-DP IDCODE" && e.Measured == "0x2BA01477" && e.Expected == "0x1BA01477");
        Assert.Contains(evidence, e => e.Name == "CPUID" && e.Measured.StartsWith("0x412FC231", StringComparison.Ordinal));
    }

    [Fact]
    public void Decide_GigaDeviceDesignerAndRev1303_Gd32()
    {
        // Arrange: ROM designer GigaDevice (cont 7, id 0x51), DBGMCU REV 0x1303 (BLAAT part 4).
        var gd32 = s_r2p1 with { RomTableDesigner = 0x751, DbgmcuIdcode = 0x13030410 };

        // Act
        var (verdict, clone, evidence) = TargetIdentifier.Decide(gd32, s_f1, 0x4C3, etm: null);

        // Assert
        Assert.Equal(OriginVerdict.Clone, verdict);
        Assert.Equal("GD32", clone);
        Assert.Equal("ROM-table designer", evidence[0].Name);
        Assert.Equal("0x751 (GigaDevice)", evidence[0].Measured);
    }

    [Fact]
    public void Decide_Rev2000OnDev410_Ch32()
    {
        // Arrange: CH32F103 reports DEV 0x410 REV 0x2000 (BMP ch32f1).
        var ch32 = s_r2p1 with { DbgmcuIdcode = 0x20000410 };

        // Act
        var (verdict, clone, evidence) = TargetIdentifier.Decide(ch32, s_f1, 0x4C3, etm: false);

        // Assert
        Assert.Equal(OriginVerdict.Clone, verdict);
        Assert.Equal("CH32", clone);
        Assert.Contains(evidence, e => e.Name == "DBGMCU REV_ID" && e.Measured == "0x2000");
    }

    [Fact]
    public void Decide_InvalidJep106Code555_Hk32()
    {
        // Arrange: HK32 ROM table: JEDEC bit clear, id 0x55, continuation 5 (BMP PR #1821).
        var hk32 = s_r2p1 with { RomTableDesigner = TargetIdentifier.DesignerHk32 };

        // Act
        var (verdict, clone, _) = TargetIdentifier.Decide(hk32, s_f1, 0x29B, etm: null);

        // Assert
        Assert.Equal(OriginVerdict.Clone, verdict);
        Assert.Equal("HK32", clone);
    }

    [Fact]
    public void Decide_CortexM4WithArteryPartId_At32EvenWithoutCatalogLine()
    {
        // Arrange: AT32F403A: Cortex-M4 CPUID, DBGMCU_IDCODE is the part ID 0x7005_0xxx (OCD-art, BMP).
        var at32 = new DebugIdentity(0x1BA01477, 0x410FC241, null, 0x43B, 0x70050242);

        // Act
        var (verdict, clone, evidence) = TargetIdentifier.Decide(at32, family: null, 0x4C4, etm: null);

        // Assert
        Assert.Equal(OriginVerdict.Clone, verdict);
        Assert.Equal("AT32", clone);
        Assert.Equal("0x70050242", evidence[0].Measured);
    }

    [Fact]
    public void Decide_GenuineExceptCpuRevision_UnknownWithTheMismatch()
    {
        // Arrange: an ST ROM table but an r2p1 core: no known look-alike matches.
        var odd = s_genuine with { CpuId = 0x412FC231 };

        // Act
        var (verdict, clone, evidence) = TargetIdentifier.Decide(odd, s_f1, 0x410, etm: null);

        // Assert
        Assert.Equal(OriginVerdict.Unknown, verdict);
        Assert.Null(clone);
        var mismatch = Assert.Single(evidence);
        Assert.Equal("CPUID", mismatch.Name);
        Assert.Equal("0x411FC231 (Cortex-M3 r1p1)", mismatch.Expected);
    }

    [Fact]
    public void Decide_UnknownDevId_UnknownNamingTheIdcode()
    {
        // Act
        var (verdict, _, evidence) = TargetIdentifier.Decide(s_genuine with { DbgmcuIdcode = 0x10000999 }, family: null, null, null);

        // Assert
        Assert.Equal(OriginVerdict.Unknown, verdict);
        Assert.Equal("0x10000999", Assert.Single(evidence).Measured);
    }
}

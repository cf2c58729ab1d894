using ProdFlash.Probes.Arm;

namespace ProdFlash.Probes.Tests.Arm;

public sealed class CoreSightIdentityTests
{
    private const uint RomTableCidr = 0xB105100D; // CIDR0..3 = 0D 10 05 B1: class 0x1, ROM table

    [Fact]
    public void FromRegisters_GenuineStm32F103RomTable_DesignerStPart0x410()
    {
        // PIDR0 0x10, PIDR1 0x04 (part[11:8] 4, id[3:0] 0), PIDR2 0x0A (JEDEC, id[6:4] 2), PIDR4 0x00 (bank 0).
        var identity = CoreSightIdentity.FromRegisters(0x10, 0x04, 0x0A, 0x00, 0x00, RomTableCidr);

        Assert.Equal(0x410, identity.Part);
        Assert.Equal(Jep106Code.StMicroelectronics, identity.Designer);
        Assert.Equal(0x020, identity.Designer.Code12);
        Assert.Equal("STMicroelectronics", identity.Designer.Name);
        Assert.True(identity.UsesJep106);
        Assert.True(identity.IsRomTable);
        Assert.True(identity.HasValidPreamble);
    }

    [Fact]
    public void FromRegisters_CloneWithArmCortexM3Rom_DesignerArm0x43BPart0x4C3()
    {
        // APM32/CS32F103: PIDR0 0xC3, PIDR1 0xB4 (id[3:0] 0xB, part[11:8] 4), PIDR2 0x0B (JEDEC, id[6:4] 3), PIDR4 0x04.
        var identity = CoreSightIdentity.FromRegisters(0xC3, 0xB4, 0x0B, 0x00, 0x04, RomTableCidr);

        Assert.Equal(0x4C3, identity.Part);
        Assert.Equal(Jep106Code.Arm, identity.Designer);
        Assert.Equal(0x43B, identity.Designer.Code12);
        Assert.Equal(0x23B, identity.Designer.AdiCode);
        Assert.Equal("ARM Ltd", identity.Designer.Name);
        Assert.True(identity.UsesJep106);
    }

    [Fact]
    public void FromRegisters_Hk32LegacyIdentity_JedecFlagClearId0x55Bank5Part0x29B()
    {
        // BMP PR #1821: PIDR 0x000000050005529B.
        var identity = new CoreSightIdentity(0x000000050005529B, RomTableCidr);

        Assert.False(identity.UsesJep106);
        Assert.Equal(new Jep106Code(5, 0x55), identity.Designer);
        Assert.Equal(0x29B, identity.Part);
        Assert.Null(identity.Designer.Name);
    }

    [Fact]
    public void FromRegisters_GigaDeviceBeijing_NamedFromTable()
    {
        var identity = CoreSightIdentity.FromRegisters(0x00, 0x10, 0x0D, 0x00, 0x07, RomTableCidr);

        Assert.Equal(0x751, identity.Designer.Code12);
        Assert.Equal("GigaDevice Semiconductor (Beijing)", identity.Designer.Name);
    }

    [Fact]
    public void Decode_TwelveWordsFromFd0_SameAsRegisterBytes()
    {
        uint[] words = [0x04, 0, 0, 0, 0xC3, 0xB4, 0x0B, 0x00, 0x0D, 0x10, 0x05, 0xB1];
        var block = new byte[48];
        for (var i = 0; i < words.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(i * 4), words[i]);
        }

        var identity = CoreSightIdentity.Decode(block);

        Assert.Equal(CoreSightIdentity.FromRegisters(0xC3, 0xB4, 0x0B, 0x00, 0x04, RomTableCidr), identity);
    }
}

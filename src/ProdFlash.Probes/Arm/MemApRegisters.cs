namespace ProdFlash.Probes.Arm;

/// <summary>
/// ADIv5 MEM-AP register addresses and CSW bits (ARM IHI 0031, ADIv5.2 C2.6 "MEM-AP register descriptions";
/// reference/stlink-protocol.md §5.2 AP model; reference/stm32-targets.md §1).
/// </summary>
public static class MemApRegisters
{
    /// <summary>CSW, Control/Status Word (ADIv5 C2.6.4).</summary>
    public const byte Csw = 0x00;

    /// <summary>TAR, Transfer Address Register (ADIv5 C2.6.7).</summary>
    public const byte Tar = 0x04;

    /// <summary>DRW, Data Read/Write (ADIv5 C2.6.6).</summary>
    public const byte Drw = 0x0C;

    /// <summary>CFG (ADIv5 C2.6.3).</summary>
    public const byte Cfg = 0xF4;

    /// <summary>BASE, the ROM table pointer with format/present in bits [1:0] (ADIv5 C2.6.2).</summary>
    public const byte Base = 0xF8;

    /// <summary>IDR, the AP identification register (ADIv5 C2.6.5).</summary>
    public const byte Idr = 0xFC;

    /// <summary>CSW.Size[2:0] = 0b000: 8-bit.</summary>
    public const uint CswSize8 = 0b000;

    /// <summary>CSW.Size[2:0] = 0b001: 16-bit.</summary>
    public const uint CswSize16 = 0b001;

    /// <summary>CSW.Size[2:0] = 0b010: 32-bit.</summary>
    public const uint CswSize32 = 0b010;

    /// <summary>CSW.AddrInc[5:4] = 0b01: increment single (TAR += size after each DRW access).</summary>
    public const uint CswAddrIncSingle = 0b01u << 4;

    /// <summary>CSW.AddrInc[5:4] = 0b00: no increment.</summary>
    public const uint CswAddrIncOff = 0;

    /// <summary>
    /// The AHB-AP CSW bits OpenOCD uses by default, seen on the wire as 0xA2000000 (reference §2.4 step 6):
    /// DbgSwEnable (b31), MasterType/HPROT (b29), HPROT1 privileged (b25).
    /// </summary>
    public const uint CswAhbDefault = 0xA2000000;

    /// <summary>IDR.CLASS[16:13] value of a MEM-AP (reference/stm32-targets.md §1).</summary>
    public const uint IdrClassMemAp = 0x8;

    /// <summary>BASE bit 0: a debug entry (ROM table) is present (ADIv5 C2.6.2).</summary>
    public const uint BasePresent = 1u << 0;

    /// <summary>BASE bits [1:0] = 0b11 in ADIv5 format; the table address is BASE[31:12].</summary>
    public const uint BaseAddressMask = 0xFFFFF000;
}

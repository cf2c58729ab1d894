using System.Buffers.Binary;
using System.Globalization;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Targets;
using ProdFlash.Programming.Engine;

namespace ProdFlash.Programming.Identify;

/// <summary>
/// Reads a connected chip's identity (DP IDCODE, CPUID, AHB-AP IDR and BASE, the ROM table's PIDR/CIDR, DBGMCU_IDCODE
/// at the family address, flash size, UID) and decides its device and origin (stm32-targets.md §1, §5.3).
/// </summary>
/// <remarks>Stateless; one call per attempt on the runner that owns the probe.</remarks>
public static class TargetIdentifier
{
    /// <summary>CPUID register (ARMv7-M ARM B3.2.3; stm32-targets.md §5.2).</summary>
    public const uint CpuIdAddress = 0xE000ED00;

    /// <summary>AHB-AP (MEM-AP) register offsets (ADIv5 C2.6): BASE and IDR.</summary>
    public const byte ApBase = 0xF8;

    /// <summary>AHB-AP IDR offset (ADIv5 C2.6).</summary>
    public const byte ApIdr = 0xFC;

    /// <summary>Offsets of PIDR4 and PIDR0..PIDR3 in a CoreSight component's last 4 KiB page (CoreSight 2.0 B2.2).</summary>
    private const uint Pidr4Offset = 0xFD0;
    private const uint Pidr0Offset = 0xFE0;

    /// <summary>ROM-table entry 5 (0xE00FF014 on a Cortex-M3): bit 0 set when an ETM is present (stm32-targets.md §5.3, AVS).</summary>
    private const uint EtmEntryOffset = 0x014;

    /// <summary>JEP106 designer codes (continuation &lt;&lt; 8 | identity) the reference names (stm32-targets.md §4.3, §5.3).</summary>
    public const ushort DesignerSt = 0x020;

    /// <summary>ARM Ltd (continuation 4, id 0x3B): CKS32, APM32, CH32 and AT32 ROM tables.</summary>
    public const ushort DesignerArm = 0x43B;

    /// <summary>GigaDevice (continuation 7, id 0x51).</summary>
    public const ushort DesignerGigaDevice = 0x751;

    /// <summary>The invalid code HK32 parts show: continuation 5, id 0x55, JEDEC bit clear (BMP PR #1821).</summary>
    public const ushort DesignerHk32 = 0x555;

    /// <summary>Cortex-M3 ROM-table PART 0x4C3 (ARM's own ROM table, used by r2p1 clones).</summary>
    public const ushort RomPartCortexM3 = 0x4C3;

    /// <summary>DBGMCU REV_ID values that name a clone on DEV_ID 0x410 (stm32-targets.md §5.3): GD32F103 0x1303, CH32F103 0x2000.</summary>
    public const ushort RevGd32F103 = 0x1303;

    /// <summary>CH32F103 REV_ID on DEV_ID 0x410 (BMP ch32f1).</summary>
    public const ushort RevCh32F103 = 0x2000;

    /// <summary>Top byte 0x70 of the whole DBGMCU_IDCODE: an Artery AT32 part ID (OCD-art, BMP; stm32-targets.md §5.3).</summary>
    public const uint At32IdcodeTop = 0x70;

    /// <summary>The STM32F1 medium-density DEV_ID most clones copy.</summary>
    public const ushort DevIdF1MediumDensity = 0x410;

    /// <summary>Reads the identity and decides device and origin.</summary>
    /// <param name="probe">The connected probe.</param>
    /// <param name="dpIdr">The DPIDR the connect phase read; null when the probe cannot read it (a GDB server), which is then no evidence either way.</param>
    /// <param name="catalog">The device catalog.</param>
    /// <param name="cancellationToken">Cancels between transactions.</param>
    /// <exception cref="TargetException">A read the identity needs failed.</exception>
    public static async ValueTask<Identification> IdentifyAsync(IDebugProbe probe, uint? dpIdr, DeviceCatalog catalog, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(catalog);
        var memory = probe.Memory;
        var cpuId = await memory.ReadUInt32Async(CpuIdAddress, cancellationToken).ConfigureAwait(false);
        var partNo = (ushort)((cpuId >> 4) & 0xFFF);

        uint? apIdr = null;
        uint? apBase = null;
        if (probe.Dap is { } dap)
        {
            apIdr = await dap.ReadApAsync(0, ApIdr, cancellationToken).ConfigureAwait(false);
            apBase = await dap.ReadApAsync(0, ApBase, cancellationToken).ConfigureAwait(false);
        }

        var (idcode, line) = await ReadDbgmcuAsync(memory, catalog, partNo, cancellationToken).ConfigureAwait(false);
        var family = line?.Family ?? catalog.Families.FirstOrDefault(f => f.Genuine.CpuPartNo == partNo);

        var romBase = apBase is { } b && b != 0xFFFFFFFF && (b & 1) != 0 ? b & 0xFFFFF000 : family?.Genuine.RomTableBase;
        ushort? designer = null;
        ushort? romPart = null;
        bool? etm = null;
        if (romBase is { } rom)
        {
            (designer, romPart) = await ReadComponentIdentityAsync(memory, rom, cancellationToken).ConfigureAwait(false);
            if (partNo == 0xC23)
            {
                etm = (await memory.ReadUInt32Async(rom + EtmEntryOffset, cancellationToken).ConfigureAwait(false) & 1) != 0;
            }
        }

        int? flashKiB = null;
        string? uid = null;
        if (family is not null)
        {
            // With no catalog line the family is only a guess from the core: its addresses may not exist on this chip.
            flashKiB = await ReadOrNullAsync(line is null, async () => (int)await memory.ReadUInt16Async(family.FlashSizeRegisterAddress, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            uid = await ReadOrNullAsync(line is null, async () =>
            {
                var raw = new byte[12];
                await memory.ReadAsync(family.UidAddress, raw, AccessWidth.Word, cancellationToken).ConfigureAwait(false);
                return string.Concat(Enumerable.Range(0, 3).Select(i => BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(i * 4)).ToString("X8", CultureInfo.InvariantCulture)));
            }).ConfigureAwait(false);
        }

        var debug = new DebugIdentity(dpIdr, cpuId, apIdr, designer, idcode);
        IReadOnlyList<DevicePart> candidates = idcode is { } id && flashKiB is { } kib ? catalog.FindParts(id, kib, partNo) : [];
        var (verdict, cloneFamily, evidence) = Decide(debug, line?.Family, romPart, etm);
        return new Identification(debug, romPart, etm, flashKiB, uid, line, candidates, verdict, cloneFamily, evidence);
    }

    /// <summary>
    /// The origin verdict from the identity values (stm32-targets.md §5.3 and §7): clone tells first (ROM-table
    /// designer GigaDevice or HK32's invalid code, AT32's part ID, GD32/CH32 REV_ID on DEV_ID 0x410, ARM's Cortex-M3 ROM
    /// table with or without ETM for CKS32 and APM32), then any mismatch against the genuine family makes it unknown.
    /// </summary>
    public static (OriginVerdict Verdict, string? CloneFamily, IReadOnlyList<Evidence> Evidence) Decide(DebugIdentity debug, DeviceFamily? family, ushort? romPart, bool? etm)
    {
        ArgumentNullException.ThrowIfNull(debug);
        var mismatches = family is null ? [] : GenuinenessCheck.Mismatches(family.Genuine, debug);
        var tells = new List<Evidence>();
        string? clone = null;
        var idcode = debug.DbgmcuIdcode;
        var devId = idcode is { } i ? DeviceCatalog.DevIdOf(i) : (ushort?)null;
        var revId = idcode is { } r ? DeviceCatalog.RevIdOf(r) : (ushort?)null;
        if (idcode is { } full && full >> 24 == At32IdcodeTop && debug.CpuId is { } cpu && ((cpu >> 4) & 0xFFF) == 0xC24)
        {
            clone = "AT32";
            tells.Add(new Evidence("Part ID (DBGMCU_IDCODE)", EvidenceFormat.Hex32(full), "an STM32 DEV_ID; 0x70xxxxxx is an Artery part ID"));
        }
        else if (debug.RomTableDesigner == DesignerGigaDevice)
        {
            clone = "GD32";
            tells.Add(new Evidence("ROM-table designer", EvidenceFormat.Designer(DesignerGigaDevice), EvidenceFormat.Designer(DesignerSt)));
        }
        else if (debug.RomTableDesigner == DesignerHk32)
        {
            clone = "HK32";
            tells.Add(new Evidence("ROM-table designer", EvidenceFormat.Designer(DesignerHk32) + " (JEDEC bit clear, HK32)", EvidenceFormat.Designer(DesignerSt)));
        }
        else if (devId == DevIdF1MediumDensity && revId == RevGd32F103)
        {
            clone = "GD32";
            tells.Add(new Evidence("DBGMCU REV_ID", EvidenceFormat.Hex(RevGd32F103, 4), "0x2003 or another ST revision"));
        }
        else if (devId == DevIdF1MediumDensity && revId == RevCh32F103)
        {
            clone = "CH32";
            tells.Add(new Evidence("DBGMCU REV_ID", EvidenceFormat.Hex(RevCh32F103, 4), "0x2003 or another ST revision"));
        }
        else if (debug.RomTableDesigner == DesignerArm && romPart == RomPartCortexM3 && etm is { } hasEtm && family?.Genuine.RomTableDesigner == DesignerSt)
        {
            clone = hasEtm ? "CKS32" : "APM32";
            tells.Add(new Evidence("ROM table", string.Create(CultureInfo.InvariantCulture, $"ARM Cortex-M3 ROM (PART 0x{RomPartCortexM3:X3}), ETM {(hasEtm ? "present" : "absent")}"), "ST ROM table"));
        }

        if (clone is not null)
        {
            tells.AddRange(mismatches.Where(m => tells.All(t => t.Name != m.Name)));
            return (OriginVerdict.Clone, clone, tells);
        }

        if (family is null)
        {
            var measured = idcode is { } code ? EvidenceFormat.Hex32(code) : "unreadable";
            return (OriginVerdict.Unknown, null, [new Evidence("DBGMCU_IDCODE", measured, "a DEV_ID in the device catalog")]);
        }

        if (mismatches.Count > 0)
        {
            return (OriginVerdict.Unknown, null, mismatches);
        }

        var matched = new List<Evidence>();
        var genuine = family.Genuine;
        matched.Add(new Evidence("SW-DP IDCODE", debug.SwdDpIdr is { } dp ? EvidenceFormat.Hex32(dp) : "not read", EvidenceFormat.Hex32(genuine.SwdDpIdr)));
        if (debug.CpuId is { } c)
        {
            matched.Add(new Evidence("CPUID", EvidenceFormat.CpuId(c), genuine.CpuId is { } gc ? EvidenceFormat.CpuId(gc) : null));
        }

        if (debug.AhbApIdr is { } ap)
        {
            matched.Add(new Evidence("AHB-AP IDR", EvidenceFormat.Hex32(ap), genuine.AhbApIdr is { } ga ? EvidenceFormat.Hex32(ga) : null));
        }

        if (debug.RomTableDesigner is { } d)
        {
            matched.Add(new Evidence("ROM-table designer", EvidenceFormat.Designer(d), EvidenceFormat.Designer(genuine.RomTableDesigner)));
        }

        return (OriginVerdict.GenuineSt, null, matched);
    }

    private static async Task<int?> ReadOrNullAsync(bool mayFault, Func<Task<int>> read)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (TargetMemoryFaultException) when (mayFault)
        {
            return null; // a guessed family's address that this chip does not map
        }
    }

    private static async Task<string?> ReadOrNullAsync(bool mayFault, Func<Task<string>> read)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (TargetMemoryFaultException) when (mayFault)
        {
            return null; // a guessed family's address that this chip does not map
        }
    }

    // DBGMCU_IDCODE sits at a per-family address (stm32-targets.md §2.1); try the addresses of the families whose core
    // matches CPUID's PARTNO first, and keep the first value whose DEV_ID the catalog knows.
    private static async ValueTask<(uint? Idcode, DeviceLine? Line)> ReadDbgmcuAsync(ITargetMemory memory, DeviceCatalog catalog, ushort partNo, CancellationToken cancellationToken)
    {
        var addresses = catalog.Families.Where(f => f.Genuine.CpuPartNo == partNo).Select(f => f.DbgmcuIdcodeAddress)
            .Concat(catalog.Families.Select(f => f.DbgmcuIdcodeAddress)).Distinct().ToList();
        uint? first = null;
        foreach (var address in addresses)
        {
            uint value;
            try
            {
                value = await memory.ReadUInt32Async(address, cancellationToken).ConfigureAwait(false);
            }
            catch (TargetMemoryFaultException)
            {
                // Not this family's address: the bus faults there. Try the next one.
                continue;
            }

            if (value is 0 or 0xFFFFFFFF)
            {
                continue;
            }

            first ??= value;
            if (catalog.FindLineByIdcode(value, partNo) is { } line)
            {
                return (value, line);
            }
        }

        return (first, null);
    }

    private static async ValueTask<(ushort Designer, ushort Part)> ReadComponentIdentityAsync(ITargetMemory memory, uint componentBase, CancellationToken cancellationToken)
    {
        var pidr = new byte[16];
        await memory.ReadAsync(componentBase + Pidr0Offset, pidr, AccessWidth.Word, cancellationToken).ConfigureAwait(false);
        var pidr4 = await memory.ReadUInt32Async(componentBase + Pidr4Offset, cancellationToken).ConfigureAwait(false);
        var p0 = BinaryPrimitives.ReadUInt32LittleEndian(pidr.AsSpan(0));
        var p1 = BinaryPrimitives.ReadUInt32LittleEndian(pidr.AsSpan(4));
        var p2 = BinaryPrimitives.ReadUInt32LittleEndian(pidr.AsSpan(8));

        // CoreSight PIDR: PART = PIDR0[7:0] | PIDR1[3:0] << 8; JEP106 id = PIDR1[7:4] | PIDR2[2:0] << 4;
        // continuation = PIDR4[3:0] (stm32-targets.md §4.3).
        var part = (ushort)((p0 & 0xFF) | ((p1 & 0xF) << 8));
        var id = ((p1 >> 4) & 0xF) | ((p2 & 0x7) << 4);
        var continuation = pidr4 & 0xF;
        return ((ushort)((continuation << 8) | id), part);
    }
}

namespace ProdFlash.Probes.StLink;

/// <summary>One known ST-LINK USB product id.</summary>
/// <param name="ProductId">The PID (VID is always <see cref="StLinkUsbProductIds.VendorId"/>).</param>
/// <param name="Variant">The hardware family this PID is a hint for.</param>
/// <param name="Model">The model name, as the sources give it.</param>
/// <param name="OutEndpoint">Bulk OUT endpoint for command blocks and write data (reference §1.2).</param>
/// <param name="InEndpoint">Bulk IN endpoint for replies and read data (reference §1.2).</param>
/// <param name="IsDebugCapable">False for a USB loader/DFU-only PID that does not speak the debug protocol.</param>
public sealed record StLinkProductInfo(ushort ProductId, StLinkVariant Variant, string Model, byte OutEndpoint, byte InEndpoint, bool IsDebugCapable);

/// <summary>The ST-LINK VID/PID table of reference §1.1 with the endpoint layout of §1.2.</summary>
public static class StLinkUsbProductIds
{
    /// <summary>STMicroelectronics' USB vendor id.</summary>
    public const ushort VendorId = 0x0483;

    /// <summary>Bulk IN endpoint of every variant (reference §1.2).</summary>
    public const byte InEndpoint = 0x81;

    /// <summary>Bulk OUT endpoint of V1/V2 (reference §1.2, OCD:66-71).</summary>
    public const byte V2OutEndpoint = 0x02;

    /// <summary>Bulk OUT endpoint of V2-1 and V3 (reference §1.2).</summary>
    public const byte V21OutEndpoint = 0x01;

    /// <summary>Every PID this station enumerates (reference §1.1), with its endpoint layout.</summary>
    public static IReadOnlyList<StLinkProductInfo> All { get; } =
    [
        new(0x3744, StLinkVariant.V1, "ST-LINK/V1", V2OutEndpoint, InEndpoint, false),
        new(0x3748, StLinkVariant.V2, "ST-LINK/V2", V2OutEndpoint, InEndpoint, true),
        new(0x374B, StLinkVariant.V2_1, "ST-LINK/V2-1", V21OutEndpoint, InEndpoint, true),
        new(0x3752, StLinkVariant.V2_1, "ST-LINK/V2-1 (no MSD)", V21OutEndpoint, InEndpoint, true),
        new(0x374A, StLinkVariant.V2_1, "ST-LINK/V2-1 (audio)", V21OutEndpoint, InEndpoint, true),
        new(0x374D, StLinkVariant.V3, "STLINK-V3 USB loader", V21OutEndpoint, InEndpoint, false),
        new(0x374E, StLinkVariant.V3, "STLINK-V3E", V21OutEndpoint, InEndpoint, true),
        new(0x374F, StLinkVariant.V3, "STLINK-V3S/V3SET", V21OutEndpoint, InEndpoint, true),
        new(0x3753, StLinkVariant.V3, "STLINK-V3 (2 VCP, no MSD)", V21OutEndpoint, InEndpoint, true),
        new(0x3754, StLinkVariant.V3, "STLINK-V3 (no MSD)", V21OutEndpoint, InEndpoint, true),
        new(0x3755, StLinkVariant.V3, "STLINK-V3PWR USB loader", V21OutEndpoint, InEndpoint, false),
        new(0x3757, StLinkVariant.V3, "STLINK-V3PWR", V21OutEndpoint, InEndpoint, true),
    ];

    /// <summary>Looks up a PID; null when it is not an ST-LINK PID.</summary>
    public static StLinkProductInfo? Find(ushort productId)
    {
        foreach (var info in All)
        {
            if (info.ProductId == productId)
            {
                return info;
            }
        }

        return null;
    }

    /// <summary>Whether the PID is one of the V2-1 PIDs (0x374B, 0x3752, 0x374A), which changes GET_VERSION decoding.</summary>
    public static bool IsV2_1(ushort productId) => productId is 0x374B or 0x3752 or 0x374A;
}

namespace ProdFlash.Core.Targets;

/// <summary>Raw ARM ADIv5 debug-port and access-port register access.</summary>
/// <remarks>
/// Addresses are the register byte offsets of ADIv5 (DP: 0x0 DPIDR/ABORT, 0x4 CTRL/STAT, 0x8 SELECT, 0xC RDBUFF;
/// AP: 0x00 CSW, 0x04 TAR, 0x0C DRW, 0xF8 BASE, 0xFC IDR). For an AP access the implementation selects the AP
/// and bank (DP SELECT) itself, either in probe firmware or on the host. Not thread-safe (one owner per probe).
/// </remarks>
public interface IDapAccess
{
    /// <summary>Reads a DP register.</summary>
    ValueTask<uint> ReadDpAsync(byte address, CancellationToken cancellationToken);

    /// <summary>Writes a DP register.</summary>
    ValueTask WriteDpAsync(byte address, uint value, CancellationToken cancellationToken);

    /// <summary>Reads register <paramref name="address"/> of access port <paramref name="ap"/>.</summary>
    ValueTask<uint> ReadApAsync(byte ap, byte address, CancellationToken cancellationToken);

    /// <summary>Writes register <paramref name="address"/> of access port <paramref name="ap"/>.</summary>
    ValueTask WriteApAsync(byte ap, byte address, uint value, CancellationToken cancellationToken);
}

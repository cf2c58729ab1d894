using System.Buffers.Binary;

using ProdFlash.Core.Targets;

namespace ProdFlash.Probes.Arm;

/// <summary>One entry of a ROM table (ADIv5.2 D3.4.4): the component address and, when present, its identity.</summary>
/// <param name="RawEntry">The 32-bit entry as read.</param>
/// <param name="ComponentBase">Table base + signed offset (entry[31:12]).</param>
/// <param name="Present">Entry bit 0.</param>
/// <param name="Identity">The component's PIDR/CIDR when present and readable; null otherwise.</param>
public sealed record RomTableEntry(uint RawEntry, uint ComponentBase, bool Present, CoreSightIdentity? Identity);

/// <summary>A ROM table: its own identity (designer and part say who made the chip) and its entries.</summary>
/// <param name="BaseAddress">The table's base address (AP BASE[31:12]).</param>
/// <param name="Identity">The table's own PIDR/CIDR.</param>
/// <param name="Entries">The entries up to the terminating zero.</param>
public sealed record RomTable(uint BaseAddress, CoreSightIdentity Identity, IReadOnlyList<RomTableEntry> Entries)
{
    /// <summary>Largest number of entries a 4 KiB ROM table holds (0xF00 / 4, ADIv5.2 D3.4.4).</summary>
    public const int MaxEntries = 960;

    /// <summary>
    /// Reads the table at <paramref name="baseAddress"/>: its identification block, then each entry until the zero
    /// terminator, then the identity of every present component (one level; nested tables are not followed).
    /// </summary>
    /// <exception cref="TargetException">A read failed; a faulting component is recorded with a null identity instead.</exception>
    public static async ValueTask<RomTable> ReadAsync(ITargetMemory memory, uint baseAddress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(memory);
        baseAddress &= MemApRegisters.BaseAddressMask;
        var identity = await ReadIdentityAsync(memory, baseAddress, cancellationToken).ConfigureAwait(false);
        var entries = new List<RomTableEntry>();
        var words = new byte[4 * 16];
        for (var index = 0; index < MaxEntries; index += 16)
        {
            await memory.ReadAsync(baseAddress + (uint)(index * 4), words, AccessWidth.Word, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < 16; i++)
            {
                var entry = BinaryPrimitives.ReadUInt32LittleEndian(words.AsSpan(i * 4));
                if (entry == 0)
                {
                    return new RomTable(baseAddress, identity, await IdentifyAsync(memory, entries, cancellationToken).ConfigureAwait(false));
                }

                var component = baseAddress + (entry & 0xFFFFF000); // a signed offset wraps modulo 2^32
                entries.Add(new RomTableEntry(entry, component, (entry & 1) != 0, null));
            }
        }

        return new RomTable(baseAddress, identity, await IdentifyAsync(memory, entries, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Reads the 12 identification words at component base + 0xFD0.</summary>
    public static async ValueTask<CoreSightIdentity> ReadIdentityAsync(ITargetMemory memory, uint componentBase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(memory);
        var block = new byte[CoreSightIdentity.IdentificationLength];
        await memory.ReadAsync(componentBase + CoreSightIdentity.IdentificationOffset, block, AccessWidth.Word, cancellationToken).ConfigureAwait(false);
        return CoreSightIdentity.Decode(block);
    }

    private static async ValueTask<List<RomTableEntry>> IdentifyAsync(ITargetMemory memory, List<RomTableEntry> entries, CancellationToken cancellationToken)
    {
        var result = new List<RomTableEntry>(entries.Count);
        foreach (var entry in entries)
        {
            CoreSightIdentity? identity = null;
            if (entry.Present)
            {
                try
                {
                    identity = await ReadIdentityAsync(memory, entry.ComponentBase, cancellationToken).ConfigureAwait(false);
                }
                catch (TargetMemoryFaultException)
                {
                    // A listed component that faults (e.g. powered down) is recorded without identity: that is evidence too.
                }
            }

            result.Add(entry with { Identity = identity });
        }

        return result;
    }
}

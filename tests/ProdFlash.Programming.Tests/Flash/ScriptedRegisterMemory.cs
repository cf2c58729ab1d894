using System.Buffers.Binary;
using ProdFlash.Core.Targets;

namespace ProdFlash.Programming.Tests.Flash;

/// <summary>
/// A scripted transport for parts no emulator model covers (F1 XL-density's second bank, and until their models land F4 and L4): 32-bit registers in a
/// dictionary, a CR whose LOCK bit clears after the two keys are written to its KEYR, every write recorded. Status registers are
/// write-1-to-clear; everything else reads 0 (SR idle with no error flag, option registers all zero).
/// </summary>
internal sealed class ScriptedRegisterMemory : ITargetMemory
{
    private readonly Dictionary<uint, uint> _registers = [];
    private readonly Dictionary<uint, (uint Cr, uint LockMask, uint Key1, uint Key2, int Stage)> _keyRegisters = [];
    private readonly HashSet<uint> _status = [];
    private readonly uint _key1;
    private readonly uint _key2;

    public ScriptedRegisterMemory(uint key1, uint key2) => (_key1, _key2) = (key1, key2);

    public List<(uint Address, uint Value, AccessWidth Width, int Length)> Writes { get; } = [];

    /// <summary>A CR at <paramref name="cr"/>, locked by <paramref name="lockMask"/>, unlocked through <paramref name="keyr"/>.</summary>
    public void AddLockedControl(uint keyr, uint cr, uint lockMask) => AddLockedControl(keyr, cr, lockMask, _key1, _key2);

    /// <summary>A lock bit of <paramref name="cr"/> that clears after <paramref name="key1"/>, <paramref name="key2"/> written to <paramref name="keyr"/>.</summary>
    public void AddLockedControl(uint keyr, uint cr, uint lockMask, uint key1, uint key2)
    {
        _registers[cr] = _registers.GetValueOrDefault(cr) | lockMask;
        _keyRegisters[keyr] = (cr, lockMask, key1, key2, 0);
    }

    /// <summary>Sets a register's value (what the chip shows at reset).</summary>
    public void Set(uint address, uint value) => _registers[address] = value;

    /// <summary>A status register: writes clear the bits written as 1 (they all read 0 here, so it stays 0).</summary>
    public void AddStatus(uint sr) => _status.Add(sr);

    public IEnumerable<uint> WordsWrittenTo(uint address) => Writes.Where(w => w.Address == address && w.Length == 4).Select(w => w.Value);

    public ValueTask ReadAsync(uint address, Memory<byte> destination, AccessWidth width, CancellationToken cancellationToken)
    {
        for (var i = 0; i + 4 <= destination.Length; i += 4)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination.Span[i..], _registers.GetValueOrDefault(address + (uint)i));
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask WriteAsync(uint address, ReadOnlyMemory<byte> source, AccessWidth width, CancellationToken cancellationToken)
    {
        var value = source.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(source.Span) : 0;
        Writes.Add((address, value, width, source.Length));
        if (source.Length != 4)
        {
            return ValueTask.CompletedTask;
        }

        if (_keyRegisters.TryGetValue(address, out var key))
        {
            var stage = key.Stage == 0 && value == key.Key1 ? 1 : 0;
            if (key.Stage == 1 && value == key.Key2)
            {
                _registers[key.Cr] &= ~key.LockMask;
            }

            _keyRegisters[address] = key with { Stage = stage };
            return ValueTask.CompletedTask;
        }

        if (_status.Contains(address))
        {
            _registers[address] = _registers.GetValueOrDefault(address) & ~value; // write 1 to clear
            return ValueTask.CompletedTask;
        }

        // A control register keeps lock bits that are set (software can set LOCK, only keys clear it).
        var locks = _keyRegisters.Values.Where(k => k.Cr == address).Aggregate(0u, (mask, k) => mask | k.LockMask);
        _registers[address] = value | (_registers.GetValueOrDefault(address) & locks);
        return ValueTask.CompletedTask;
    }
}

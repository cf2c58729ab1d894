using System.Globalization;

using ProdFlash.Core.Devices;

namespace ProdFlash.Programming.Engine;

/// <summary>
/// The physical floor of DESIGN §7: the catalog typical times of the erase and program operations the image needs
/// (the datasheet minimum where it gives no typical, as DS5319 for the F1 erase), plus moving the image over SWD once
/// at the connect frequency.
/// </summary>
public static class FloorCalculator
{
    /// <summary>
    /// SWD clocks per 32-bit AP write with auto-increment: 8 request + 1 turnaround + 3 ACK + 1 turnaround + 32 data +
    /// 1 parity (ADIv5 B4.2, SWD protocol operation).
    /// </summary>
    public const int SwdClocksPerWord = 46;

    /// <summary>Computes the floor.</summary>
    /// <param name="part">The part.</param>
    /// <param name="plan">The erase plan; its cheaper alternative counts (a mass erase when cheaper and possible).</param>
    /// <param name="runs">The address ranges that are programmed.</param>
    /// <param name="swdKHz">The SWD clock in kHz.</param>
    /// <param name="unitBytes">The programming unit the driver uses (F4: by PSIZE, whose timing column then applies), or null for the catalog's.</param>
    public static PhysicalFloor Compute(DevicePart part, ErasePlan plan, IReadOnlyList<(uint Address, int Length)> runs, int swdKHz, int? unitBytes = null)
    {
        ArgumentNullException.ThrowIfNull(part);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(runs);
        var unit = unitBytes ?? part.Family.ProgrammingUnit.Bytes;
        long units = 0;
        long bytes = 0;
        foreach (var (address, length) in runs)
        {
            var first = address / (uint)unit;
            var last = ((ulong)address + (ulong)length + (ulong)unit - 1) / (ulong)unit;
            units += (long)(last - first);
            bytes += length;
        }

        var words = (bytes + 3) / 4;
        var transfer = TimeSpan.FromSeconds((double)words * SwdClocksPerWord / (Math.Max(swdKHz, 1) * 1000.0));
        var timings = part.Timings.At(unitBytes); // the driver's parallelism column (F4 PSIZE), where the catalog has one
        var programTypical = timings.Program.Floor;
        TimeSpan? program = programTypical is { } p ? p * units : null;
        TimeSpan? erase = plan.Mass
            ? plan.MassCost
            : plan.Units.Count == 0 ? TimeSpan.Zero
            : plan.TouchedCost is { } t && plan.MassCost is { } m && plan.SkippedUnits.Count == 0 ? (t < m ? t : m) : plan.TouchedCost;
        var inv = CultureInfo.InvariantCulture;
        var note = program is null || erase is null
            ? $"unknown: the catalog has no typical (or minimum) {(program is null ? "program" : "erase")} time for {part.Line.Name} ({(program is null ? timings.Program.Source : timings.MassErase.Source)})"
            : string.Create(inv, $"{units} × {programTypical!.Value.TotalMicroseconds:0.#} µs program + {erase.Value.TotalMilliseconds:0.#} ms erase + {bytes} bytes over SWD at {swdKHz} kHz ({transfer.TotalMilliseconds:0.#} ms)");
        return new PhysicalFloor(erase, program, transfer, note);
    }
}

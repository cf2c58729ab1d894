using System.Globalization;

namespace ProdFlash.Probes.Arm;

/// <summary>
/// A JEP106 manufacturer code: continuation count (bank) and 7-bit identity. The 12-bit notation is
/// <c>cont &lt;&lt; 8 | id</c> (pyOCD/BMP: ARM 0x43B, ST 0x020), the 11-bit ADI notation <c>cont &lt;&lt; 7 | id</c>
/// (OpenOCD: ARM 0x23B) (reference/stm32-targets.md §4.3).
/// </summary>
/// <param name="Continuation">Number of 0x7F continuation codes (PIDR4[3:0]).</param>
/// <param name="Identity">The 7-bit identity code (PIDR2[2:0]:PIDR1[7:4]).</param>
public readonly record struct Jep106Code(int Continuation, int Identity)
{
    /// <summary>STMicroelectronics: bank 0, id 0x20 (genuine STM32 ROM table).</summary>
    public static readonly Jep106Code StMicroelectronics = new(0, 0x20);

    /// <summary>ARM Ltd: bank 4, id 0x3B (used in the ROM tables of APM32/CS32/CH32/AT32).</summary>
    public static readonly Jep106Code Arm = new(4, 0x3B);

    private static readonly Dictionary<Jep106Code, string> Names = new()
    {
        [StMicroelectronics] = "STMicroelectronics",
        [Arm] = "ARM Ltd",
        [new(6, 0x48)] = "GigaDevice Semiconductor",
        [new(7, 0x51)] = "GigaDevice Semiconductor (Beijing)",
        [new(9, 0x3B)] = "Artery Technology",
        [new(11, 0x68)] = "Shenzhen Hangshun Chip Technology",
        [new(9, 0x05)] = "Puya Semiconductor",
        [new(7, 0x2A)] = "Nanjing Yihuo Technology (used by WCH)",
    };

    /// <summary>The 12-bit code <c>cont &lt;&lt; 8 | id</c>, e.g. 0x020 for ST, 0x43B for ARM.</summary>
    public int Code12 => (Continuation << 8) | Identity;

    /// <summary>The 11-bit ADI code <c>cont &lt;&lt; 7 | id</c>, e.g. 0x23B for ARM.</summary>
    public int AdiCode => (Continuation << 7) | Identity;

    /// <summary>The manufacturer's name from the table of reference §4.3, or null when the code is not in it.</summary>
    public string? Name => Names.GetValueOrDefault(this);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name ?? "unknown designer"} (JEP106 0x{Code12:X3}: bank {Continuation}, id 0x{Identity:X2})");
}

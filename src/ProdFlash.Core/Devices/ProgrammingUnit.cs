namespace ProdFlash.Core.Devices;

/// <summary>How the flash is programmed: the unit the controller writes at once, and the other widths it accepts.</summary>
/// <param name="Bytes">The programming unit used by default, in bytes (F0/F1 2, F4 2 (x16, widest VDD range), G0/L4 8).</param>
/// <param name="SupportedBytes">Every width the controller accepts (F4: 1, 2, 4, 8 by CR.PSIZE).</param>
/// <param name="SelectedBy">The control field that selects the width (F4 "CR.PSIZE"), or null where it is fixed.</param>
/// <param name="Note">Conditions (e.g. F4 x64 needs external VPP), or null.</param>
/// <param name="Source">Where these facts come from.</param>
public sealed record ProgrammingUnit(int Bytes, IReadOnlyList<int> SupportedBytes, string? SelectedBy, string? Note, string Source);

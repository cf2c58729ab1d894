using System.Text;
using ProdFlash.Emulator.Faults;
using ProdFlash.Emulator.StLink;

namespace ProdFlash.Emulator;

/// <summary>
/// A parsed <c>emulator://CHIP?probe=PERSONALITY&amp;faults=F1,F2</c> selector (DESIGN.md §4): which chip model, which
/// probe personality (default <c>v2j37</c>) and which faults.
/// </summary>
/// <param name="Chip">Chip model name, lower case (e.g. <c>stm32f103c8</c>).</param>
/// <param name="Personality">Probe personality name.</param>
/// <param name="Faults">The faults.</param>
/// <param name="FaultNames">The fault names as given, for printing the selector back.</param>
public sealed record EmulatorSelector(string Chip, string Personality, FaultSet Faults, IReadOnlyList<string> FaultNames)
{
    /// <summary>The selector scheme.</summary>
    public const string Scheme = "emulator://";

    /// <summary>The personality used when the selector names none.</summary>
    public const string DefaultPersonality = "v2j37";

    /// <summary>Parses <paramref name="selector"/>.</summary>
    /// <exception cref="EmulatorConfigurationException">The selector is malformed; the message says which part and how to write it.</exception>
    public static EmulatorSelector Parse(string selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        const string example = "e.g. 'emulator://stm32f103c8?probe=v2j37&faults=no-vcc,flaky-wait:0.05'";
        if (!selector.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new EmulatorConfigurationException($"Selector '{selector}' is not an emulator selector; it must start with '{Scheme}', {example}.");
        }

        var rest = selector[Scheme.Length..];
        var question = rest.IndexOf('?', StringComparison.Ordinal);
        var chip = (question < 0 ? rest : rest[..question]).TrimEnd('/').ToLowerInvariant();
        if (chip.Length == 0 || chip.Contains('/', StringComparison.Ordinal))
        {
            throw new EmulatorConfigurationException($"Selector '{selector}' must name one chip model after '{Scheme}', {example}.");
        }

        var personality = DefaultPersonality;
        var faultNames = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (question >= 0)
        {
            foreach (var pair in rest[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var key = (equals < 0 ? pair : pair[..equals]).ToLowerInvariant();
                var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
                if (!seen.Add(key))
                {
                    throw new EmulatorConfigurationException($"Selector '{selector}' gives '{key}' twice; give it once.");
                }

                switch (key)
                {
                    case "probe":
                        personality = value.ToLowerInvariant();
                        StLinkPersonality.Create(personality);
                        break;
                    case "faults":
                        faultNames.AddRange(value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
                        break;
                    default:
                        throw new EmulatorConfigurationException(
                            $"Selector '{selector}' has an unknown parameter '{key}'; the parameters are 'probe' and 'faults', {example}.");
                }
            }
        }

        return new EmulatorSelector(chip, personality, FaultSet.Parse(faultNames), faultNames);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder(Scheme).Append(Chip).Append("?probe=").Append(Personality);
        if (FaultNames.Count > 0)
        {
            text.Append("&faults=").Append(string.Join(',', FaultNames));
        }

        return text.ToString();
    }
}

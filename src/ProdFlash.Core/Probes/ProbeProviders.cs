using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Targets;

namespace ProdFlash.Core.Probes;

/// <summary>
/// The probe providers of one program, by scheme: the engine and the CLI open every probe through here
/// (DESIGN.md §4).
/// </summary>
/// <remarks>Immutable after construction and thread-safe; the providers it holds must be thread-safe too.</remarks>
public sealed class ProbeProviders
{
    private readonly Dictionary<string, IProbeProvider> _providers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates the registry.</summary>
    /// <param name="providers">One provider per scheme.</param>
    /// <exception cref="ArgumentException">Two providers claim the same scheme, or one claims a scheme selectors do not have.</exception>
    public ProbeProviders(IEnumerable<IProbeProvider> providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        foreach (var provider in providers)
        {
            ArgumentNullException.ThrowIfNull(provider);
            if (!ProbeSelector.Schemes.Contains(provider.Scheme, StringComparer.OrdinalIgnoreCase))
            {
                throw new ArgumentException(
                    $"Provider {provider.GetType().Name} claims scheme '{provider.Scheme}', which is not a selector scheme; the schemes are {string.Join(", ", ProbeSelector.Schemes)}.",
                    nameof(providers));
            }

            if (!_providers.TryAdd(provider.Scheme, provider))
            {
                throw new ArgumentException($"Two providers claim scheme '{provider.Scheme}': {_providers[provider.Scheme].GetType().Name} and {provider.GetType().Name}.", nameof(providers));
            }
        }
    }

    /// <summary>The schemes a provider is registered for, in order.</summary>
    public IReadOnlyList<string> Schemes => [.. _providers.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The provider for <paramref name="selector"/>'s scheme.</summary>
    /// <exception cref="ProbeOpenException">No provider handles the scheme (<see cref="FailureCode.ProbeNotFound"/>); the message lists those that exist.</exception>
    public IProbeProvider For(ProbeSelector selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        if (_providers.TryGetValue(selector.Scheme, out var provider))
        {
            return provider;
        }

        var known = _providers.Count == 0 ? "none is registered" : string.Join(", ", Schemes.Select(s => s + "://"));
        throw new ProbeOpenException(selector.ToString(), FailureCode.ProbeNotFound, $"'{selector}': this program has no provider for {selector.Scheme}:// probes; it opens {known}.");
    }

    /// <summary>Opens the probe <paramref name="selector"/> names with the provider of its scheme.</summary>
    /// <returns>The open probe, owned by the caller.</returns>
    /// <exception cref="ProbeOpenException">No provider for the scheme, or the provider cannot open the probe.</exception>
    public ValueTask<IDebugProbe> OpenAsync(ProbeSelector selector, CancellationToken cancellationToken) =>
        For(selector).OpenAsync(selector, cancellationToken);

    /// <summary>Parses <paramref name="selector"/> and opens the probe it names.</summary>
    /// <exception cref="ProbeSelectorException">The text is not a probe selector.</exception>
    /// <exception cref="ProbeOpenException">No provider for the scheme, or the provider cannot open the probe.</exception>
    public ValueTask<IDebugProbe> OpenAsync(string selector, CancellationToken cancellationToken) =>
        OpenAsync(ProbeSelector.Parse(selector), cancellationToken);
}

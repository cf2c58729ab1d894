namespace ProdFlash.Station.Security;

/// <summary>Settings of API access (configuration section <c>Security</c>).</summary>
public sealed record SecurityOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Security";

    /// <summary>The Admin user the bootstrap key acts as.</summary>
    public const string BootstrapUser = "admin";

    /// <summary>
    /// An Admin key chosen by whoever deploys the station (e.g. from an environment variable
    /// <c>Security__BootstrapAdminKey</c>); its hash is stored at start. When null and no key exists yet, the station issues
    /// one Admin key at start and logs it once.
    /// </summary>
    public string? BootstrapAdminKey { get; init; }

    /// <summary>
    /// The password user <see cref="BootstrapUser"/> gets when, at start, no enabled Admin with a password exists (e.g. from
    /// <c>Security__InitialAdminPassword</c>). When null the station generates one and logs it once. Ignored once an Admin can sign in.
    /// </summary>
    public string? InitialAdminPassword { get; init; }
}

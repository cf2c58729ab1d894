using Microsoft.Extensions.Options;

using ProdFlash.Data.Entities;

namespace ProdFlash.Station.Security;

/// <summary>
/// At start, makes sure an Admin can reach the API: stores the configured bootstrap key's hash, or, when no key exists at
/// all, issues one Admin key and logs it once (it is not stored in clear anywhere).
/// </summary>
/// <remarks>Runs once in <see cref="StartAsync"/>; it must be registered after the service that migrates the store.</remarks>
public sealed partial class ApiKeyBootstrap : IHostedService
{
    private readonly ApiKeyService _keys;
    private readonly SecurityOptions _options;
    private readonly ILogger<ApiKeyBootstrap> _logger;

    /// <summary>Created by the host.</summary>
    public ApiKeyBootstrap(ApiKeyService keys, IOptions<SecurityOptions> options, ILogger<ApiKeyBootstrap> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _keys = keys;
        _options = options.Value;
        _logger = logger;
    }

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(_options.BootstrapAdminKey))
        {
            if (await _keys.EnsureKeyAsync(_options.BootstrapAdminKey, SecurityOptions.BootstrapUser, UserRole.Admin, cancellationToken).ConfigureAwait(false))
            {
                LogBootstrapStored(_logger, SecurityOptions.BootstrapUser);
            }

            return;
        }

        if (!await _keys.AnyAsync(cancellationToken).ConfigureAwait(false))
        {
            var issued = await _keys.IssueAsync(SecurityOptions.BootstrapUser, UserRole.Admin, "first start", "station", cancellationToken: cancellationToken).ConfigureAwait(false);
            LogFirstKey(_logger, issued.Key);
        }
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored the configured bootstrap API key for Admin user {User}")]
    private static partial void LogBootstrapStored(ILogger logger, string user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No API key existed: issued Admin key {Key} for user 'admin'. It is shown only now; keep it, then issue personal keys with POST /api/keys.")]
    private static partial void LogFirstKey(ILogger logger, string key);
}

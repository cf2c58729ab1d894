using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

using ProdFlash.Data;
using ProdFlash.Data.Reports;
using ProdFlash.Station.Dashboard;
using ProdFlash.Station.Library;
using ProdFlash.Station.Security;

namespace ProdFlash.Station.Api;

/// <summary>Registers and maps what the REST API needs: the library, the recipe store, API keys and roles, OpenAPI.</summary>
public static class StationApiServices
{
    /// <summary>
    /// Adds the image library, recipe store, report queries, API-key authentication with role policies, the start-up key
    /// bootstrap, and the OpenAPI document.
    /// </summary>
    /// <remarks>Call after the store's migration service is registered: <see cref="ApiKeyBootstrap"/> writes to the store at start.</remarks>
    public static IHostApplicationBuilder AddStationApiServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<LibraryOptions>().BindConfiguration(LibraryOptions.SectionName)
            .Validate(o => o.MaxImageBytes > 0, "Library:MaxImageBytes must be positive.")
            .ValidateOnStart();
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<ReportSettings>().BindConfiguration(ReportSettings.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReportSettings>, ReportSettingsValidator>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ReportSettings>>().Value.ToOptions());
        services.TryAddSingleton(sp => new ProductionReports(sp.GetRequiredService<StationDatabase>(), sp.GetRequiredService<ReportOptions>()));
        services.AddSingleton(sp => LibraryOptionsOf(sp));
        services.AddSingleton(sp => new ImageLibrary(sp.GetRequiredService<StationDatabase>(), sp.GetRequiredService<LibraryOptions>(), time: sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new RecipeStore(sp.GetRequiredService<StationDatabase>(), sp.GetRequiredService<ImageLibrary>(),
            sp.GetRequiredService<LibraryOptions>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Runtime.FixtureRecipes>();
        services.AddStationSecurity();
        services.AddHostedService<ApiKeyBootstrap>();
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "ProdFlash station API";
            document.Info.Description = "Send an API key in the X-Api-Key header. Each operation's summary names the roles that may use it.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
            document.Components.SecuritySchemes[ApiKeyAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyAuthenticationHandler.HeaderName,
                Description = "An API key issued by an Admin (POST /api/keys).",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, document)] = [] }];
            return Task.CompletedTask;
        }));
        return builder;
    }

    // The folder is the station's Station:ImageLibraryFolder (resolved from the content root); the rest is section Library.
    private static LibraryOptions LibraryOptionsOf(IServiceProvider services)
    {
        var library = services.GetRequiredService<IOptions<LibraryOptions>>().Value;
        var station = services.GetRequiredService<IOptions<StationOptions>>().Value;
        return library with { Folder = StationPaths.Resolve(services.GetRequiredService<IHostEnvironment>(), station.ImageLibraryFolder) };
    }
}

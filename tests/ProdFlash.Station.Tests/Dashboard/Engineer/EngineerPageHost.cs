using System.Security.Claims;

using Bunit;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

using MudBlazor.Services;

using ProdFlash.Data.Entities;
using ProdFlash.Station.Library;
using ProdFlash.Station.Security;
using ProdFlash.Station.Tests.Dashboard.Manager;
using ProdFlash.Testing;

namespace ProdFlash.Station.Tests.Dashboard.Engineer;

/// <summary>
/// A bUnit context wired like the station for the engineer pages: the real <see cref="ImageLibrary"/> over a migrated
/// SQLite store (the manager seed) with its files in a temp folder, two-person release on, MudBlazor, and the station's
/// real role policies for a signed-in user whose name and role a test can change between renders.
/// </summary>
internal sealed class EngineerPageHost : IAsyncDisposable
{
    private readonly TempDirectory _files = new();
    private readonly SwitchableUser _user;

    private EngineerPageHost(ManagerSeed seed, string user, UserRole? role)
    {
        Seed = seed;
        Library = new ImageLibrary(seed.Database, new LibraryOptions { Folder = _files.Path }, time: seed.Clock);
        _user = new SwitchableUser(user, role);
        Context = new BunitContext();
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        var services = Context.Services;
        services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        services.AddSingleton(seed.Database);
        services.AddSingleton(Library);
        services.AddSingleton(new LibraryOptions { Folder = _files.Path });
        services.AddSingleton<TimeProvider>(seed.Clock);
        services.AddSingleton(new StatusStore(new StationStatus("TEST-ST01", 0, false, [])));
        services.AddStationSecurity();

        // bUnit registers stand-ins that refuse to authorize; the station's real policies and evaluator replace them.
        services.Replace(ServiceDescriptor.Transient<IAuthorizationService, DefaultAuthorizationService>());
        services.Replace(ServiceDescriptor.Transient<IAuthorizationPolicyProvider, DefaultAuthorizationPolicyProvider>());
        services.AddCascadingAuthenticationState();
        services.AddSingleton<AuthenticationStateProvider>(_user);
    }

    public ManagerSeed Seed { get; }

    public ImageLibrary Library { get; }

    public BunitContext Context { get; }

    /// <summary>A host over a freshly migrated store, signed in as <paramref name="user"/> with <paramref name="role"/> (null: nobody).</summary>
    public static async Task<EngineerPageHost> CreateAsync(string user = "alice", UserRole? role = UserRole.Engineer) =>
        new(await ManagerSeed.CreateAsync(), user, role);

    /// <summary>Signs in someone else; components rendered after this see the new user.</summary>
    public void SignIn(string user, UserRole role) => _user.Set(user, role);

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        await Seed.DisposeAsync();
        _files.Dispose();
    }

    private sealed class SwitchableUser(string user, UserRole? role) : AuthenticationStateProvider
    {
        private string _name = user;
        private UserRole? _role = role;

        public void Set(string name, UserRole newRole)
        {
            _name = name;
            _role = newRole;
            NotifyAuthenticationStateChanged(GetAuthenticationStateAsync());
        }

        public override Task<AuthenticationState> GetAuthenticationStateAsync()
        {
            var identity = _role is { } r
                ? new ClaimsIdentity([new Claim(ClaimTypes.Name, _name), new Claim(ClaimTypes.Role, r.ToString())], "test")
                : new ClaimsIdentity();
            return Task.FromResult(new AuthenticationState(new ClaimsPrincipal(identity)));
        }
    }
}

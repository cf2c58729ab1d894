using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

using ProdFlash.Data.Entities;
using ProdFlash.Station.Security;

namespace ProdFlash.Station.Components.Pages;

/// <summary>The Admin's user list: create users with a role, reset passwords, set badges, disable and enable.</summary>
/// <remarks>Every change goes through <see cref="UserService"/>, which audits it with the signed-in admin as the actor.</remarks>
public sealed partial class AdminUsers
{
    [Inject]
    private UserService UserService { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private IReadOnlyList<UserInfo> Users { get; set; } = [];

    private UserInfo? Selected { get; set; }

    private string? Message { get; set; }

    private bool MessageIsError { get; set; }

    private string? NewPassword { get; set; }

    private string? NewBadge { get; set; }

    private string? NewName { get; set; }

    private string? NewDisplayName { get; set; }

    private UserRole NewRole { get; set; } = UserRole.Operator;

    private string? NewUserPassword { get; set; }

    private static string PasswordHelp => $"At least {UserService.MinPasswordLength} characters.";

    /// <inheritdoc/>
    protected override async Task OnInitializedAsync() => await ReloadAsync();

    private static string StateOf(UserInfo user) =>
        user.Disabled ? "Disabled" : user.LockedUntil is { } until && until > DateTimeOffset.UtcNow ? $"Locked until {until.ToLocalTime():HH:mm}" : "Enabled";

    private void Select(UserInfo user)
    {
        Selected = user;
        NewPassword = null;
        NewBadge = null;
        Message = null;
    }

    private Task ResetPasswordAsync() => RunAsync(
        async (actor, users, name) => await users.SetPasswordAsync(name, NewPassword ?? string.Empty, actor),
        name => $"The password of {name} is set; any lock is lifted.");

    private Task SetBadgeAsync() => RunAsync(
        async (actor, users, name) => await users.SetBadgeAsync(name, NewBadge, actor),
        name => string.IsNullOrWhiteSpace(NewBadge) ? $"The badge of {name} is cleared." : $"The badge of {name} is set.");

    private Task SetDisabledAsync(bool disabled) => RunAsync(
        async (actor, users, name) => await users.SetDisabledAsync(name, disabled, actor),
        name => disabled ? $"{name} is disabled and can no longer sign in." : $"{name} is enabled.");

    private async Task CreateAsync()
    {
        try
        {
            var actor = await ActorAsync();
            var created = await UserService.CreateAsync(NewName ?? string.Empty, NewRole, NewUserPassword, actor, NewDisplayName);
            Show($"Created {created.Name} ({created.Role}).", isError: false);
            NewName = NewDisplayName = NewUserPassword = null;
            NewRole = UserRole.Operator;
        }
        catch (UserException ex)
        {
            Show(ex.Message, isError: true);
        }

        await ReloadAsync();
    }

    private async Task RunAsync(Func<string, UserService, string, Task<UserInfo>> change, Func<string, string> done)
    {
        if (Selected is not { } selected)
        {
            return;
        }

        try
        {
            var updated = await change(await ActorAsync(), UserService, selected.Name);
            Show(done(updated.Name), isError: false);
            Selected = updated;
            NewPassword = NewBadge = null;
        }
        catch (UserException ex)
        {
            Show(ex.Message, isError: true);
        }

        await ReloadAsync();
    }

    private async Task<string> ActorAsync() => (await AuthenticationState).User.Identity?.Name ?? "unknown";

    private async Task ReloadAsync() => Users = await UserService.ListAsync();

    private void Show(string message, bool isError)
    {
        Message = message;
        MessageIsError = isError;
    }
}

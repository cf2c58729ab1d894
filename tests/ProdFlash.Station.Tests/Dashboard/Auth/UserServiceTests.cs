using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Security;
using ProdFlash.Testing;

namespace ProdFlash.Station.Tests.Dashboard.Auth;

/// <summary>
/// <see cref="UserService"/> on a real SQLite store: password and badge checks, the lockout on a fake clock, what is stored
/// (hashes only) and the audit trail.
/// </summary>
public sealed class UserServiceTests : IAsyncLifetime
{
    private const string Password = "correct horse";
    private readonly UserStore _store = new();

    public async ValueTask InitializeAsync() => await _store.StartAsync();

    public ValueTask DisposeAsync()
    {
        _store.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task VerifyPassword_RightPassword_SucceedsWithRoleAndAudits()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await _store.Users.CreateAsync("alice", UserRole.Engineer, Password, "admin", "Alice A.", ct);

        // Act
        var result = await _store.Users.VerifyPasswordAsync(" alice ", Password, ct);

        // Assert
        Assert.Equal(SignInOutcome.Success, result.Outcome);
        Assert.Equal("alice", result.User!.Name);
        Assert.Equal("Alice A.", result.User.DisplayName);
        Assert.Equal(UserRole.Engineer, result.User.Role);
        await using var context = _store.Database.CreateContext();
        Assert.Contains(await context.AuditEvents.ToListAsync(ct), e => e is { Action: "signin.success", Actor: "alice", Details: "password" });
        Assert.Contains(await context.AuditEvents.ToListAsync(ct), e => e is { Action: "user.create", Actor: "admin", EntityId: "alice" });
    }

    [Fact]
    public async Task VerifyPassword_WrongPasswordOrUnknownUser_InvalidAndAudited()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await _store.Users.CreateAsync("bob", UserRole.Operator, Password, "admin", cancellationToken: ct);

        // Act
        var wrong = await _store.Users.VerifyPasswordAsync("bob", "not the password", ct);
        var unknown = await _store.Users.VerifyPasswordAsync("nobody", Password, ct);
        var empty = await _store.Users.VerifyPasswordAsync("bob", null, ct);

        // Assert
        Assert.Equal(SignInOutcome.Invalid, wrong.Outcome);
        Assert.Null(wrong.User);
        Assert.Equal(SignInOutcome.Invalid, unknown.Outcome);
        Assert.Equal(SignInOutcome.Invalid, empty.Outcome);
        await using var context = _store.Database.CreateContext();
        var failures = await context.AuditEvents.Where(e => e.Action == "signin.failure").ToListAsync(ct);
        Assert.Contains(failures, e => e is { EntityId: "bob", Details: "password: wrong password" });
        Assert.Contains(failures, e => e is { EntityId: "nobody", Details: "password: unknown user" });
        Assert.Equal(2, (await context.Users.SingleAsync(u => u.Name == "bob", ct)).FailedSignIns);
    }

    [Fact]
    public async Task VerifyPassword_FiveFailures_LocksForFiveMinutesEvenWithRightPassword()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await _store.Users.CreateAsync("carol", UserRole.Operator, Password, "admin", cancellationToken: ct);
        for (var i = 1; i < UserService.MaxFailedSignIns; i++)
        {
            Assert.Equal(SignInOutcome.Invalid, (await _store.Users.VerifyPasswordAsync("carol", "wrong", ct)).Outcome);
        }

        // Act
        var fifth = await _store.Users.VerifyPasswordAsync("carol", "wrong", ct);
        _store.Time.Advance(TimeSpan.FromMinutes(4));
        var whileLocked = await _store.Users.VerifyPasswordAsync("carol", Password, ct);
        _store.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var afterLock = await _store.Users.VerifyPasswordAsync("carol", Password, ct);

        // Assert
        Assert.Equal(SignInOutcome.LockedOut, fifth.Outcome);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 8, 5, 0, TimeSpan.Zero), fifth.LockedUntil);
        Assert.Equal(SignInOutcome.LockedOut, whileLocked.Outcome);
        Assert.Equal(SignInOutcome.Success, afterLock.Outcome);
        await using var context = _store.Database.CreateContext();
        Assert.Single(await context.AuditEvents.Where(e => e.Action == "signin.lockout" && e.EntityId == "carol").ToListAsync(ct));
        var stored = await context.Users.SingleAsync(u => u.Name == "carol", ct);
        Assert.Equal(0, stored.FailedSignIns);
        Assert.Null(stored.LockedUntil);
    }

    [Fact]
    public async Task SetPassword_LockedUser_LiftsLock()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await _store.Users.CreateAsync("dave", UserRole.Operator, Password, "admin", cancellationToken: ct);
        for (var i = 0; i < UserService.MaxFailedSignIns; i++)
        {
            await _store.Users.VerifyPasswordAsync("dave", "wrong", ct);
        }

        // Act
        await _store.Users.SetPasswordAsync("dave", "a new password", "admin", ct);
        var result = await _store.Users.VerifyPasswordAsync("dave", "a new password", ct);
        var old = await _store.Users.VerifyPasswordAsync("dave", Password, ct);

        // Assert
        Assert.Equal(SignInOutcome.Success, result.Outcome);
        Assert.Equal(SignInOutcome.Invalid, old.Outcome);
    }

    [Fact]
    public async Task VerifyBadge_KnownCode_SucceedsAndOnlyHashIsStored()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await _store.Users.CreateAsync("erin", UserRole.Operator, null, "admin", cancellationToken: ct);
        await _store.Users.SetBadgeAsync("erin", "BADGE-0042", "admin", ct);

        // Act
        var scanned = await _store.Users.VerifyBadgeAsync("BADGE-0042\r\n", ct);
        var unknown = await _store.Users.VerifyBadgeAsync("BADGE-0043", ct);
        var password = await _store.Users.VerifyPasswordAsync("erin", "anything", ct);

        // Assert
        Assert.Equal(SignInOutcome.Success, scanned.Outcome);
        Assert.Equal("erin", scanned.User!.Name);
        Assert.Equal(SignInOutcome.Invalid, unknown.Outcome);
        Assert.Equal(SignInOutcome.Invalid, password.Outcome); // no password set: badge only
        await using var context = _store.Database.CreateContext();
        var stored = await context.Users.SingleAsync(u => u.Name == "erin", ct);
        // SHA-256("BADGE-0042"), computed independently with: printf %s BADGE-0042 | sha256sum
        Assert.Equal(ExpectedBadgeHash, stored.BadgeHash);
        Assert.DoesNotContain(await context.AuditEvents.Select(e => e.Details).ToListAsync(ct), d => d != null && d.Contains("BADGE-0042", StringComparison.Ordinal));
        Assert.Contains(await context.AuditEvents.ToListAsync(ct), e => e is { Action: "signin.failure", Details: "badge: unknown code" });
    }

    [Fact]
    public async Task SetBadge_CodeOfAnotherUser_Refused()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await _store.Users.CreateAsync("fay", UserRole.Operator, null, "admin", cancellationToken: ct);
        await _store.Users.CreateAsync("gus", UserRole.Operator, null, "admin", cancellationToken: ct);
        await _store.Users.SetBadgeAsync("fay", "SHARED", "admin", ct);

        // Act
        var error = await Assert.ThrowsAsync<UserException>(() => _store.Users.SetBadgeAsync("gus", "SHARED", "admin", ct));

        // Assert
        Assert.Contains("Another user already has this badge", error.Message, StringComparison.Ordinal);
        Assert.Equal("fay", (await _store.Users.VerifyBadgeAsync("SHARED", ct)).User!.Name);
    }

    [Fact]
    public async Task Disable_User_RefusesPasswordAndBadge()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await _store.Users.CreateAsync("hal", UserRole.Manager, Password, "admin", cancellationToken: ct);
        await _store.Users.SetBadgeAsync("hal", "HAL-1", "admin", ct);

        // Act
        var disabled = await _store.Users.SetDisabledAsync("hal", true, "admin", ct);
        var byPassword = await _store.Users.VerifyPasswordAsync("hal", Password, ct);
        var byBadge = await _store.Users.VerifyBadgeAsync("HAL-1", ct);

        // Assert
        Assert.True(disabled.Disabled);
        Assert.Equal(SignInOutcome.Invalid, byPassword.Outcome);
        Assert.Equal(SignInOutcome.Invalid, byBadge.Outcome);
    }

    [Fact]
    public async Task Disable_LastAdmin_Refused()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await _store.Users.CreateAsync("root", UserRole.Admin, Password, "station", cancellationToken: ct);

        // Act
        var error = await Assert.ThrowsAsync<UserException>(() => _store.Users.SetDisabledAsync("root", true, "root", ct));

        // Assert
        Assert.Contains("last Admin", error.Message, StringComparison.Ordinal);
        Assert.True(await _store.Users.AnyAdminCanSignInAsync(ct));
    }

    [Theory]
    [InlineData("", "long enough", "The user name is empty")]
    [InlineData("ok-name", "short", "shorter than 8 characters")]
    public async Task Create_BadInput_RefusedWithReason(string name, string password, string expected)
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;

        // Act
        var error = await Assert.ThrowsAsync<UserException>(() => _store.Users.CreateAsync(name, UserRole.Operator, password, "admin", cancellationToken: ct));

        // Assert
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private const string ExpectedBadgeHash = "6bd97241bd398d6a979ad3a26bfc2f079a7ca9e3b973c05954d27befb828ed87";
}

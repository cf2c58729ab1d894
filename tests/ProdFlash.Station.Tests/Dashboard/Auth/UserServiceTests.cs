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
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero));
    private StationDatabase _database = null!;
    private UserService _users = null!;

    public async ValueTask InitializeAsync()
    {
        _database = new StationDatabase(new StationDatabaseOptions { DataDirectory = _directory.Path });
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        _users = new UserService(_database, _time);
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task VerifyPassword_RightPassword_SucceedsWithRoleAndAudits()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await _users.CreateAsync("alice", UserRole.Engineer, Password, "admin", "Alice A.", ct);

        // Act
        var result = await _users.VerifyPasswordAsync(" alice ", Password, ct);

        // Assert
        Assert.Equal(SignInOutcome.Success, result.Outcome);
        Assert.Equal("alice", result.User!.Name);
        Assert.Equal("Alice A.", result.User.DisplayName);
        Assert.Equal(UserRole.Engineer, result.User.Role);
        await using var context = _database.CreateContext();
        Assert.Contains(await context.AuditEvents.ToListAsync(ct), e => e is { Action: "signin.success", Actor: "alice", Details: "password" });
        Assert.Contains(await context.AuditEvents.ToListAsync(ct), e => e is { Action: "user.create", Actor: "admin", EntityId: "alice" });
    }

    [Fact]
    public async Task VerifyPassword_WrongPasswordOrUnknownUser_InvalidAndAudited()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await _users.CreateAsync("bob", UserRole.Operator, Password, "admin", cancellationToken: ct);

        // Act
        var wrong = await _users.VerifyPasswordAsync("bob", "not the password", ct);
        var unknown = await _users.VerifyPasswordAsync("nobody", Password, ct);
        var empty = await _users.VerifyPasswordAsync("bob", null, ct);

        // Assert
        Assert.Equal(SignInOutcome.Invalid, wrong.Outcome);
        Assert.Null(wrong.User);
        Assert.Equal(SignInOutcome.Invalid, unknown.Outcome);
        Assert.Equal(SignInOutcome.Invalid, empty.Outcome);
        await using var context = _database.CreateContext();
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
        await _users.CreateAsync("carol", UserRole.Operator, Password, "admin", cancellationToken: ct);
        for (var i = 1; i < UserService.MaxFailedSignIns; i++)
        {
            Assert.Equal(SignInOutcome.Invalid, (await _users.VerifyPasswordAsync("carol", "wrong", ct)).Outcome);
        }

        // Act
        var fifth = await _users.VerifyPasswordAsync("carol", "wrong", ct);
        _time.Advance(TimeSpan.FromMinutes(4));
        var whileLocked = await _users.VerifyPasswordAsync("carol", Password, ct);
        _time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var afterLock = await _users.VerifyPasswordAsync("carol", Password, ct);

        // Assert
        Assert.Equal(SignInOutcome.LockedOut, fifth.Outcome);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 8, 5, 0, TimeSpan.Zero), fifth.LockedUntil);
        Assert.Equal(SignInOutcome.LockedOut, whileLocked.Outcome);
        Assert.Equal(SignInOutcome.Success, afterLock.Outcome);
        await using var context = _database.CreateContext();
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
        await _users.CreateAsync("dave", UserRole.Operator, Password, "admin", cancellationToken: ct);
        for (var i = 0; i < UserService.MaxFailedSignIns; i++)
        {
            await _users.VerifyPasswordAsync("dave", "wrong", ct);
        }

        // Act
        await _users.SetPasswordAsync("dave", "a new password", "admin", ct);
        var result = await _users.VerifyPasswordAsync("dave", "a new password", ct);
        var old = await _users.VerifyPasswordAsync("dave", Password, ct);

        // Assert
        Assert.Equal(SignInOutcome.Success, result.Outcome);
        Assert.Equal(SignInOutcome.Invalid, old.Outcome);
    }

    [Fact]
    public async Task VerifyBadge_KnownCode_SucceedsAndOnlyHashIsStored()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await _users.CreateAsync("erin", UserRole.Operator, null, "admin", cancellationToken: ct);
        await _users.SetBadgeAsync("erin", "BADGE-0042", "admin", ct);

        // Act
        var scanned = await _users.VerifyBadgeAsync("BADGE-0042\r\n", ct);
        var unknown = await _users.VerifyBadgeAsync("BADGE-0043", ct);
        var password = await _users.VerifyPasswordAsync("erin", "anything", ct);

        // Assert
        Assert.Equal(SignInOutcome.Success, scanned.Outcome);
        Assert.Equal("erin", scanned.User!.Name);
        Assert.Equal(SignInOutcome.Invalid, unknown.Outcome);
        Assert.Equal(SignInOutcome.Invalid, password.Outcome); // no password set: badge only
        await using var context = _database.CreateContext();
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
        await _users.CreateAsync("fay", UserRole.Operator, null, "admin", cancellationToken: ct);
        await _users.CreateAsync("gus", UserRole.Operator, null, "admin", cancellationToken: ct);
        await _users.SetBadgeAsync("fay", "SHARED", "admin", ct);

        // Act
        var error = await Assert.ThrowsAsync<UserException>(() => _users.SetBadgeAsync("gus", "SHARED", "admin", ct));

        // Assert
        Assert.Contains("Another user already has this badge", error.Message, StringComparison.Ordinal);
        Assert.Equal("fay", (await _users.VerifyBadgeAsync("SHARED", ct)).User!.Name);
    }

    [Fact]
    public async Task Disable_User_RefusesPasswordAndBadge()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await _users.CreateAsync("hal", UserRole.Manager, Password, "admin", cancellationToken: ct);
        await _users.SetBadgeAsync("hal", "HAL-1", "admin", ct);

        // Act
        var disabled = await _users.SetDisabledAsync("hal", true, "admin", ct);
        var byPassword = await _users.VerifyPasswordAsync("hal", Password, ct);
        var byBadge = await _users.VerifyBadgeAsync("HAL-1", ct);

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
        await _users.CreateAsync("root", UserRole.Admin, Password, "station", cancellationToken: ct);

        // Act
        var error = await Assert.ThrowsAsync<UserException>(() => _users.SetDisabledAsync("root", true, "root", ct));

        // Assert
        Assert.Contains("last Admin", error.Message, StringComparison.Ordinal);
        Assert.True(await _users.AnyAdminCanSignInAsync(ct));
    }

    [Theory]
    [InlineData("", "long enough", "The user name is empty")]
    [InlineData("ok-name", "short", "shorter than 8 characters")]
    public async Task Create_BadInput_RefusedWithReason(string name, string password, string expected)
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;

        // Act
        var error = await Assert.ThrowsAsync<UserException>(() => _users.CreateAsync(name, UserRole.Operator, password, "admin", cancellationToken: ct));

        // Assert
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private const string ExpectedBadgeHash = "6bd97241bd398d6a979ad3a26bfc2f079a7ca9e3b973c05954d27befb828ed87";
}

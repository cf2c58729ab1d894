using ProdFlash.Data.Entities;

namespace ProdFlash.Station.Security;

/// <summary>
/// The authorization policies of the station's API (DESIGN §9: Operator, Engineer, Manager, Admin). Every endpoint
/// names one; docs/api.md lists which roles each admits.
/// </summary>
public static class StationPolicies
{
    /// <summary>Any authenticated role: read status, runs, attempts, recipes, traceability.</summary>
    public const string AnyRole = "AnyRole";

    /// <summary>Operator, Engineer, Admin: start and abort runs.</summary>
    public const string Operate = "Operate";

    /// <summary>Engineer, Admin: upload, release and obsolete images; create, update and release recipes.</summary>
    public const string Engineer = "Engineer";

    /// <summary>Engineer, Manager, Admin: yield reports, CSV export, the image list and downloads.</summary>
    public const string Reports = "Reports";

    /// <summary>Admin only: API keys and users.</summary>
    public const string Admin = "Admin";

    /// <summary>
    /// Any signed-in person, also one who must still choose a new password (every other policy refuses them): their own
    /// password page.
    /// </summary>
    public const string Account = "Account";

    /// <summary>The roles each policy admits.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<UserRole>> Roles { get; } = new Dictionary<string, IReadOnlyList<UserRole>>(StringComparer.Ordinal)
    {
        [AnyRole] = [UserRole.Operator, UserRole.Engineer, UserRole.Manager, UserRole.Admin],
        [Operate] = [UserRole.Operator, UserRole.Engineer, UserRole.Admin],
        [Engineer] = [UserRole.Engineer, UserRole.Admin],
        [Reports] = [UserRole.Engineer, UserRole.Manager, UserRole.Admin],
        [Admin] = [UserRole.Admin],
        [Account] = [UserRole.Operator, UserRole.Engineer, UserRole.Manager, UserRole.Admin],
    };
}

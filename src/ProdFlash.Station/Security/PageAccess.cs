using System.Reflection;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Routing.Template;

using ProdFlash.Data.Entities;

namespace ProdFlash.Station.Security;

/// <summary>Which roles a dashboard page needs, read from its <c>@page</c> routes and <c>[Authorize(Policy = ...)]</c>.</summary>
/// <remarks>Thread-safe: the page table is built once from the station's assembly.</remarks>
public static class PageAccess
{
    private static readonly Lazy<IReadOnlyList<(TemplateMatcher Matcher, Type Page)>> Pages = new(FindPages);

    /// <summary>
    /// The roles the page at <paramref name="path"/> admits (its policy's roles), or null when no page matches the path or the
    /// page names no policy.
    /// </summary>
    public static IReadOnlyList<UserRole>? RolesFor(string? path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/')
        {
            return null;
        }

        var query = path.IndexOfAny(['?', '#']);
        var pathOnly = query < 0 ? path : path[..query];
        foreach (var (matcher, page) in Pages.Value)
        {
            if (matcher.TryMatch(pathOnly, []))
            {
                var policy = page.GetCustomAttributes<AuthorizeAttribute>().Select(a => a.Policy).FirstOrDefault(p => p is not null);
                return policy is not null && StationPolicies.Roles.TryGetValue(policy, out var roles) ? roles : null;
            }
        }

        return null;
    }

    private static List<(TemplateMatcher, Type)> FindPages()
    {
        var pages = new List<(TemplateMatcher, Type)>();
        foreach (var type in typeof(PageAccess).Assembly.GetTypes().Where(t => typeof(IComponent).IsAssignableFrom(t)))
        {
            foreach (var route in type.GetCustomAttributes<RouteAttribute>())
            {
                pages.Add((new TemplateMatcher(TemplateParser.Parse(route.Template.TrimStart('/')), []), type));
            }
        }

        // Literal routes before ones with parameters, so "/recipes/new" is not taken for "/recipes/{id}".
        return [.. pages.OrderBy(p => p.Item1.Template.Segments.Sum(s => s.IsSimple && s.Parts[0].IsLiteral ? 0 : 1))];
    }
}

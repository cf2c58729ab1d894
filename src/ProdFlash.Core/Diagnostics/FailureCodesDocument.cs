using System.Globalization;
using System.Text;

namespace ProdFlash.Core.Diagnostics;

/// <summary>Renders <see cref="FailureCatalog"/> as the Markdown of <c>docs/failure-codes.md</c>.</summary>
public static class FailureCodesDocument
{
    /// <summary>The whole document, with "\n" line endings.</summary>
    public static string Render()
    {
        var sb = new StringBuilder();
        sb.Append("# Failure codes\n\n");
        sb.Append("Generated from `src/ProdFlash.Core/Diagnostics/FailureCatalog.cs` by `FailureCodesDocument.Render()`;\n");
        sb.Append("a test fails when this file is stale (run the Core tests with `PRODFLASH_UPDATE_DOCS=1` to rewrite it).\n");
        sb.Append("Every failed attempt carries exactly one of these codes. Causes are ranked, most likely first; the source\n");
        sb.Append("in brackets is the section of `/work/shared/reference/` or of DESIGN.md the sentence rests on.\n\n");
        sb.Append("| code | title |\n|---|---|\n");
        foreach (var info in FailureCatalog.All)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| `{info.Code}` | {info.Title} |\n");
        }

        foreach (var info in FailureCatalog.All)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\n## {info.Code}: {info.Title}\n\nLikely causes:\n");
            for (var i = 0; i < info.Causes.Count; i++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{i + 1}. {info.Causes[i].Text} [{info.Causes[i].Source}]\n");
            }

            sb.Append("\nRemedies:\n");
            foreach (var remedy in info.Remedies)
            {
                sb.Append(CultureInfo.InvariantCulture, $"- {remedy.Text} [{remedy.Source}]\n");
            }
        }

        return sb.ToString();
    }
}

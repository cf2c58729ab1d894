using ProdFlash.Core.Diagnostics;
using ProdFlash.Testing;

namespace ProdFlash.Core.Tests.Diagnostics;

public sealed class FailureCatalogTests
{
    private static readonly string[] s_requiredCodes =
    [
        "ProbeNotFound", "ProbeDisconnected", "ProbeDuplicateSerial", "ProbeSuspectClone", "ProbeFirmwareTooOld",
        "TargetNotPowered", "TargetVoltageOutOfRange", "NoSwdResponse", "SwdUnstable", "TargetLowPowerOrPinsRemapped",
        "WrongDevice", "CounterfeitDevice", "FlashSizeMismatch", "ReadoutProtected", "ReadoutProtectedPermanently",
        "WriteProtected", "OptionBytesMismatch", "EraseFailed", "ProgramFailed", "VerifyMismatch", "SerialWriteFailed",
        "OptionBytesWriteFailed", "ImageIntegrityFailed", "Timeout", "Aborted", "Interrupted",
    ];

    [Fact]
    public void FailureCode_DesignSection5Codes_AllDefined()
    {
        var names = Enum.GetNames<FailureCode>();

        Assert.All(s_requiredCodes, code => Assert.Contains(code, names));
    }

    [Fact]
    public void All_EveryCode_HasTitleCausesAndRemediesWithSources()
    {
        Assert.Equal(Enum.GetValues<FailureCode>(), FailureCatalog.All.Select(i => i.Code));
        Assert.All(FailureCatalog.All, info =>
        {
            Assert.False(string.IsNullOrWhiteSpace(info.Title));
            Assert.NotEmpty(info.Causes);
            Assert.NotEmpty(info.Remedies);
            Assert.All(info.Causes.Concat(info.Remedies), c =>
            {
                Assert.EndsWith(".", c.Text, StringComparison.Ordinal);
                Assert.Matches(@"^(stm32-targets\.md|stlink-protocol\.md|DESIGN) §\d", c.Source);
            });
        });
    }

    [Fact]
    public void Get_UndefinedCode_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FailureCatalog.Get((FailureCode)999));
    }

    [Fact]
    public void FailureCodesDoc_MatchesCatalog()
    {
        // Arrange
        var path = Path.Combine(RepositoryPaths.Root, "docs", "failure-codes.md");
        var expected = FailureCodesDocument.Render();
        if (Environment.GetEnvironmentVariable("PRODFLASH_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, expected);
        }

        // Act
        var actual = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "(missing)";

        // Assert
        Assert.True(expected == actual, "docs/failure-codes.md is stale: run the Core tests with PRODFLASH_UPDATE_DOCS=1 to regenerate it from FailureCatalog.");
        Assert.All(Enum.GetNames<FailureCode>(), name => Assert.Contains($"## {name}: ", actual, StringComparison.Ordinal));
    }
}

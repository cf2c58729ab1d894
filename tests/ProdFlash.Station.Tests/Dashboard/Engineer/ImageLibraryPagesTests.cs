using System.Reflection;
using System.Text;

using Bunit;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Forms;

using ProdFlash.Core.Images;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Components.Layout;
using ProdFlash.Station.Library;
using ProdFlash.Station.Security;
using ProdFlash.Station.Tests.Api;

using ImageDetailPage = ProdFlash.Station.Components.Pages.ImageDetail;
using ImagesPage = ProdFlash.Station.Components.Pages.EngineeringImages;
using TestContext = Xunit.TestContext;

namespace ProdFlash.Station.Tests.Dashboard.Engineer;

/// <summary>The engineer's image library pages over the real library and SQLite store.</summary>
public sealed class ImageLibraryPagesTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Upload_MalformedHex_ShowsTheParseErrorAndStoresNothing()
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync();
        var page = host.Context.Render<ImagesPage>();
        page.WaitForElement("[data-testid=images-empty]", Wait);

        // Act
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(Encoding.ASCII.GetBytes(":ZZ00000001FF\n"), "broken.hex"));
        page.Find("[data-testid=upload-submit]").Click();

        // Assert
        page.WaitForAssertion(() => Assert.Contains("'broken.hex' is not a valid", page.Find("[data-testid=upload-error]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Empty(page.FindAll("[data-testid=image-row]"));
        Assert.Empty(await host.Library.ListAsync(cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Upload_BinWithoutAddress_SaysToGiveTheLoadAddress()
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync();
        var page = host.Context.Render<ImagesPage>();
        page.WaitForElement("[data-testid=images-empty]", Wait);

        // Act
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(await File.ReadAllBytesAsync(ApiTestData.SampleBinPath, TestContext.Current.CancellationToken), "app.bin"));
        page.Find("[data-testid=upload-submit]").Click();

        // Assert
        page.WaitForAssertion(() => Assert.Contains("load address", page.Find("[data-testid=upload-error]").TextContent, StringComparison.Ordinal), Wait);
    }

    [Fact]
    public async Task Upload_GoodHex_ListsTheNewDraftByTheSignedInUser()
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync("alice");
        var page = host.Context.Render<ImagesPage>();
        page.WaitForElement("[data-testid=images-empty]", Wait);
        var sha = ApiTestData.SampleSha256;

        // Act
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(await File.ReadAllBytesAsync(ApiTestData.SampleHexPath, TestContext.Current.CancellationToken), "blue-pill-f103c8.hex"));
        page.Find("[data-testid=upload-submit]").Click();

        // Assert
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=image-row]")), Wait);
        var row = page.Find("[data-testid=image-row]");
        Assert.Equal(sha, row.GetAttribute("data-sha"));
        Assert.Contains("blue-pill-f103c8.hex", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("Draft", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("alice", row.TextContent, StringComparison.Ordinal);
        Assert.Contains(sha[..12], row.TextContent, StringComparison.Ordinal);
        Assert.Contains("Uploaded", page.Find("[data-testid=upload-result]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=upload-error]"));
        var stored = await host.Library.GetAsync(sha, TestContext.Current.CancellationToken);
        Assert.Equal("alice", stored.UploadedBy);
        Assert.Equal(ReleaseState.Draft, stored.State);
    }

    [Fact]
    public async Task Release_ByTheUploader_ShowsTheTwoPersonRule_AndASecondEngineerReleases()
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync("alice");
        var sha = await ImportSampleAsync(host, "alice");
        var page = host.Context.Render<ImageDetailPage>(p => p.Add(x => x.Sha256, sha));
        page.WaitForElement("[data-testid=release-button]", Wait);

        // Act: the uploader tries.
        page.Find("[data-testid=release-button]").Click();

        // Assert
        page.WaitForAssertion(() => Assert.Contains("two-person rule", page.Find("[data-testid=action-error]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal("Draft", page.Find("[data-testid=image-state]").TextContent.Trim());
        Assert.Equal(ReleaseState.Draft, (await host.Library.GetAsync(sha, TestContext.Current.CancellationToken)).State);

        // Act: a second engineer releases.
        host.SignIn("bob", UserRole.Engineer);
        var second = host.Context.Render<ImageDetailPage>(p => p.Add(x => x.Sha256, sha));
        second.WaitForElement("[data-testid=release-button]", Wait).Click();

        // Assert
        second.WaitForAssertion(() => Assert.Equal("Released", second.Find("[data-testid=image-state]").TextContent.Trim()), Wait);
        Assert.Contains("bob", second.Find("[data-testid=image-released]").TextContent, StringComparison.Ordinal);
        Assert.Empty(second.FindAll("[data-testid=action-error]"));
        var stored = await host.Library.GetAsync(sha, TestContext.Current.CancellationToken);
        Assert.Equal(ReleaseState.Released, stored.State);
        Assert.Equal("bob", stored.ReleasedBy);
    }

    [Fact]
    public async Task Detail_ShowsSegmentsAndThePagesTouchedOnTheTargetPart()
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync();
        var sha = await ImportSampleAsync(host, "alice");
        var image = ImageReader.ReadFile(ApiTestData.SampleHexPath);
        var part = ProdFlash.Core.Devices.DeviceCatalog.Default.FindPart("STM32F103C8")!;
        var units = part.Check(image).Units;

        // Act
        var page = host.Context.Render<ImageDetailPage>(p => p.Add(x => x.Sha256, sha));
        page.WaitForElement("[data-testid=image-sha]", Wait);

        // Assert
        Assert.Equal(sha, page.Find("[data-testid=image-sha]").TextContent);
        Assert.Equal(image.Segments.Count, page.FindAll("[data-testid=segment-row]").Count);
        Assert.Contains($"0x{image.Segments[0].Address:X8}", page.Find("[data-testid=segment-row]").TextContent, StringComparison.Ordinal);
        page.WaitForAssertion(() => Assert.Equal(units.Count, page.FindAll("[data-testid=unit-row]").Count), Wait);
        Assert.NotEmpty(units);
        Assert.Contains("STM32F103C8", page.Find("[data-testid=units-note]").TextContent, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(page.FindAll("[data-testid=obsolete-button]"));
    }

    [Fact]
    public async Task Obsolete_OnAReleasedImage_MarksItObsolete()
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync("bob");
        var sha = await ImportSampleAsync(host, "alice");
        await host.Library.ReleaseAsync(sha, "bob", TestContext.Current.CancellationToken);
        var page = host.Context.Render<ImageDetailPage>(p => p.Add(x => x.Sha256, sha));

        // Act
        page.WaitForElement("[data-testid=obsolete-button]", Wait).Click();

        // Assert
        page.WaitForAssertion(() => Assert.Equal("Obsolete", page.Find("[data-testid=image-state]").TextContent.Trim()), Wait);
        Assert.Empty(page.FindAll("[data-testid=release-button]"));
        Assert.Equal(ReleaseState.Obsolete, (await host.Library.GetAsync(sha, TestContext.Current.CancellationToken)).State);
    }

    [Fact]
    public async Task Detail_UnknownSha_SaysItIsNotInTheLibrary()
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync();

        // Act
        var page = host.Context.Render<ImageDetailPage>(p => p.Add(x => x.Sha256, new string('a', 64)));

        // Assert
        page.WaitForAssertion(() => Assert.Contains("No image with SHA-256", page.Find("[data-testid=load-error]").TextContent, StringComparison.Ordinal), Wait);
    }

    [Theory]
    [InlineData(UserRole.Engineer, true)]
    [InlineData(UserRole.Admin, true)]
    [InlineData(UserRole.Manager, false)]
    [InlineData(UserRole.Operator, false)]
    public async Task NavMenu_Role_ShowsTheImageLibraryOnlyToEngineers(UserRole role, bool visible)
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync("someone", role);

        // Act
        var menu = host.Context.Render<NavMenu>();

        // Assert
        Assert.Equal(visible, menu.FindAll("[data-testid=nav-engineer-images]").Count == 1);
    }

    [Fact]
    public void Pages_NameTheEngineerPolicy()
    {
        Assert.Equal(StationPolicies.Engineer, typeof(ImagesPage).GetCustomAttribute<AuthorizeAttribute>()?.Policy);
        Assert.Equal(StationPolicies.Engineer, typeof(ImageDetailPage).GetCustomAttribute<AuthorizeAttribute>()?.Policy);
    }

    private static async Task<string> ImportSampleAsync(EngineerPageHost host, string user)
    {
        await using var content = File.OpenRead(ApiTestData.SampleHexPath);
        var result = await host.Library.ImportAsync(new ImageUpload(content, "blue-pill-f103c8.hex", null, null, "STM32F103C8"), user, TestContext.Current.CancellationToken);
        return result.Image.Sha256;
    }
}

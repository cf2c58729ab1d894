using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Recipes;

namespace ProdFlash.Core.Tests.Recipes;

/// <summary>Phase limits derived from the catalog's maximum flash times.</summary>
public sealed class PhaseTimeoutsTests
{
    [Fact]
    public void For_F407OptionBytes_TenSecondsPlusTwiceTheThirtyTwoSecondMassErase()
    {
        // Arrange: DS8626 gives no typical mass erase; the catalog's maximum is OpenOCD's 32 s x8 bound.
        var part = DeviceCatalog.Default.FindPart("stm32f407vg")!;

        // Act
        var optionBytes = PhaseTimeouts.Default.For(AttemptPhase.OptionBytes, part);
        var erase = PhaseTimeouts.Default.For(AttemptPhase.Erase, part);

        // Assert: 10 s + 2 × 32 s; erase 2 × 32 s = 64 s, above its 60 s fixed default.
        Assert.Equal(TimeSpan.FromSeconds(32), part.Timings.MassErase.Maximum);
        Assert.Equal(TimeSpan.FromSeconds(74), optionBytes);
        Assert.Equal(TimeSpan.FromSeconds(64), erase);
    }

    [Fact]
    public void For_F103OptionBytes_TenSecondsPlusTwiceTheFortyMillisecondMassErase()
    {
        // Arrange: DS5319 Table 28 t_ME max 40 ms.
        var part = DeviceCatalog.Default.FindPart("stm32f103c8")!;

        // Act
        var optionBytes = PhaseTimeouts.Default.For(AttemptPhase.OptionBytes, part);
        var erase = PhaseTimeouts.Default.For(AttemptPhase.Erase, part);

        // Assert: the erase default (60 s) is already above 2 × 40 ms and stays.
        Assert.Equal(TimeSpan.FromMilliseconds(10_080), optionBytes);
        Assert.Equal(PhaseTimeouts.DefaultFor(AttemptPhase.Erase), erase);
    }

    [Fact]
    public void For_RecipeSetsTheLimit_RecipeValueWinsOverTheDerivedOne()
    {
        // Arrange
        var part = DeviceCatalog.Default.FindPart("stm32f407vg")!;
        var timeouts = new PhaseTimeouts(new Dictionary<AttemptPhase, TimeSpan> { [AttemptPhase.OptionBytes] = TimeSpan.FromSeconds(5) });

        // Act
        var limit = timeouts.For(AttemptPhase.OptionBytes, part);

        // Assert
        Assert.True(timeouts.IsSet(AttemptPhase.OptionBytes));
        Assert.Equal(TimeSpan.FromSeconds(5), limit);
    }

    [Fact]
    public void For_NoPartYetOrPhaseWithoutFlashWork_FixedDefault()
    {
        // Arrange
        var part = DeviceCatalog.Default.FindPart("stm32f407vg")!;

        // Act / Assert: before identification the part is unknown; connect does no flash work.
        Assert.Equal(PhaseTimeouts.DefaultFor(AttemptPhase.OptionBytes), PhaseTimeouts.Default.For(AttemptPhase.OptionBytes, null));
        Assert.Equal(PhaseTimeouts.DefaultFor(AttemptPhase.Connect), PhaseTimeouts.Default.For(AttemptPhase.Connect, part));
        Assert.Null(PhaseTimeouts.DerivedFor(AttemptPhase.Connect, part));
    }
}

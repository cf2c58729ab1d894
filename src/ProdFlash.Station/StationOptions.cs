namespace ProdFlash.Station;

/// <summary>The station's configuration (section <c>Station</c> of appsettings.json), validated at start.</summary>
public sealed class StationOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Station";

    /// <summary>The station's name, unique on the line ("LINE1-ST03").</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The folder holding recipe files (relative paths are taken from the content root).</summary>
    public string RecipesFolder { get; set; } = "firmware-images/samples";

    /// <summary>The image library's root folder (git-ignored); a fixture without <see cref="FixtureOptions.Image"/> programs the recipe's <c>image.path</c> from here.</summary>
    public string ImageLibraryFolder { get; set; } = "firmware-images/library";

    /// <summary>
    /// Demo mode: emulated probes run on wall-clock time so attempts take realistic seconds. Off: emulated probes run
    /// on their own modeled clocks (as fast as the host computes).
    /// </summary>
    public bool DemoMode { get; set; }

    /// <summary>
    /// Seconds between the end of one run and the next Start on every fixture, pressed by the station itself (the demo,
    /// soak and crash tests); 0 (default) leaves Start to the operator or the line controller.
    /// </summary>
    public double AutoStartSeconds { get; set; }

    /// <summary>The fixtures attached to this station.</summary>
    public List<FixtureOptions> Fixtures { get; set; } = [];
}

/// <summary>One fixture: a bed of slots programmed together by one Start press.</summary>
public sealed class FixtureOptions
{
    /// <summary>Name, unique within the station ("F1").</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The recipe file the fixture runs, relative to <see cref="StationOptions.RecipesFolder"/>.</summary>
    public string Recipe { get; set; } = string.Empty;

    /// <summary>
    /// The image file to program, relative to the content root; when empty, the recipe's <c>image.path</c> inside
    /// <see cref="StationOptions.ImageLibraryFolder"/>. Its content SHA-256 is checked against the recipe's before every attempt.
    /// </summary>
    public string? Image { get; set; }

    /// <summary>The fixture's slots, in position order.</summary>
    public List<SlotOptions> Slots { get; set; } = [];
}

/// <summary>One slot: a position in a fixture and the probe that drives it.</summary>
public sealed class SlotOptions
{
    /// <summary>The probe selector URI (DESIGN §4), e.g. <c>stlink://usb/066DFF...</c> or <c>emulator://stm32f103c8</c>.</summary>
    public string Probe { get; set; } = string.Empty;

    /// <summary>Whether a Start programs this slot; a disabled slot keeps its probe idle.</summary>
    public bool Enabled { get; set; } = true;
}

namespace ProdFlash.Data.Entities;

/// <summary>One station PC: it drives the fixtures attached to it.</summary>
public sealed class Station
{
    /// <summary>Key.</summary>
    public int Id { get; set; }

    /// <summary>Unique name ("LINE1-ST03").</summary>
    public required string Name { get; set; }

    /// <summary>Where it stands, free text.</summary>
    public string? Location { get; set; }

    /// <summary>When the record was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The fixtures of this station.</summary>
    public List<Fixture> Fixtures { get; } = [];
}

/// <summary>A fixture: a bed of slots that one Start press programs together.</summary>
public sealed class Fixture
{
    /// <summary>Key.</summary>
    public int Id { get; set; }

    /// <summary>The station it is attached to.</summary>
    public int StationId { get; set; }

    /// <summary>The station it is attached to.</summary>
    public Station? Station { get; set; }

    /// <summary>Name, unique within the station ("F1").</summary>
    public required string Name { get; set; }

    /// <summary>
    /// The Released library recipe an engineer assigned to this fixture, or null to run the recipe file named in the
    /// station's configuration. Kept across restarts.
    /// </summary>
    public int? AssignedRecipeId { get; set; }

    /// <summary>The assigned library recipe.</summary>
    public RecipeRecord? AssignedRecipe { get; set; }

    /// <summary>The slots of this fixture.</summary>
    public List<Slot> Slots { get; } = [];
}

/// <summary>One position in a fixture, driven by one probe.</summary>
public sealed class Slot
{
    /// <summary>Key.</summary>
    public int Id { get; set; }

    /// <summary>The fixture it belongs to.</summary>
    public int FixtureId { get; set; }

    /// <summary>The fixture it belongs to.</summary>
    public Fixture? Fixture { get; set; }

    /// <summary>Position within the fixture, from 1.</summary>
    public int Position { get; set; }

    /// <summary>The probe selector URI (DESIGN §4), e.g. <c>stlink://usb/066DFF...</c>.</summary>
    public required string ProbeSelector { get; set; }
}

/// <summary>A debug probe seen by the station, with its usage counts (inventory).</summary>
public sealed class Probe
{
    /// <summary>Key.</summary>
    public int Id { get; set; }

    /// <summary>Serial number as discovery reports it (hex-converted when binary); unique.</summary>
    public required string Serial { get; set; }

    /// <summary>Probe kind ("StLinkV2", "StLinkV3", "Gdb", "Emulator").</summary>
    public required string Kind { get; set; }

    /// <summary>Firmware version last seen ("V2J37S7").</summary>
    public string? FirmwareVersion { get; set; }

    /// <summary>Whether discovery flagged it as a suspected clone.</summary>
    public bool SuspectClone { get; set; }

    /// <summary>USB port path (<c>1-4.2</c>) where the station last found it, or null when it is not on USB here (emulator, GDB server, stlink-server).</summary>
    public string? PortPath { get; set; }

    /// <summary>
    /// What discovery and the probe check flagged at the last binding (clone signs, duplicate serial, firmware too old),
    /// one short sentence per line; null when nothing was flagged.
    /// </summary>
    public string? Anomalies { get; set; }

    /// <summary>The target voltage the last attempt's power phase measured with this probe, volts.</summary>
    public double? LastVoltage { get; set; }

    /// <summary>When <see cref="LastVoltage"/> was measured.</summary>
    public DateTimeOffset? LastVoltageAt { get; set; }

    /// <summary>The slot the station bound this probe to at its last start, or null when it drives none now.</summary>
    public int? BoundSlotId { get; set; }

    /// <summary>The slot it is bound to.</summary>
    public Slot? BoundSlot { get; set; }

    /// <summary>First seen.</summary>
    public DateTimeOffset FirstSeenAt { get; set; }

    /// <summary>Last used or seen.</summary>
    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>Finished attempts made with this probe.</summary>
    public long AttemptCount { get; set; }

    /// <summary>Of those, the ones that did not pass.</summary>
    public long FailedCount { get; set; }
}

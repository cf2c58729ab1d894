namespace ProdFlash.Data.Entities;

/// <summary>Where an attempt stands (DESIGN §5 step 11). Stored by name; never rename a member.</summary>
public enum AttemptState
{
    /// <summary>The attempt is under way (or the station stopped before it finished; start-up recovery turns it into <see cref="Interrupted"/>).</summary>
    Running,

    /// <summary>Every phase passed.</summary>
    Passed,

    /// <summary>A phase failed; the attempt carries its failure code.</summary>
    Failed,

    /// <summary>The operator or the line controller stopped the attempt.</summary>
    Aborted,

    /// <summary>Found unfinished after the station restarted (crash or power loss).</summary>
    Interrupted,
}

/// <summary>The life of a firmware image or a recipe: Draft → Released → Obsolete. Stored by name.</summary>
public enum ReleaseState
{
    /// <summary>Uploaded or edited; not yet usable on the line.</summary>
    Draft,

    /// <summary>Approved for production.</summary>
    Released,

    /// <summary>Withdrawn; kept for traceability, never used for new runs.</summary>
    Obsolete,
}

/// <summary>The state of one serial value in the ledger. Stored by name.</summary>
public enum SerialState
{
    /// <summary>Handed to a running attempt; not yet final.</summary>
    Reserved,

    /// <summary>The attempt passed: the value belongs to that unit for good.</summary>
    Committed,

    /// <summary>The attempt failed, was aborted or interrupted: the value is burnt and never issued again.</summary>
    Void,
}

/// <summary>What a user may do (DESIGN §9). Stored by name.</summary>
public enum UserRole
{
    /// <summary>Loads boards and presses Start.</summary>
    Operator,

    /// <summary>Uploads images, defines and releases recipes.</summary>
    Engineer,

    /// <summary>Reviews production reports.</summary>
    Manager,

    /// <summary>Manages users, keys and settings.</summary>
    Admin,
}

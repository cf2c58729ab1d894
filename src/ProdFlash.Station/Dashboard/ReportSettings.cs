using System.Globalization;

using Microsoft.Extensions.Options;

using ProdFlash.Data.Reports;

namespace ProdFlash.Station.Dashboard;

/// <summary>
/// Configuration section <c>Reports</c>: the plant's time zone and shift table, turned into the <see cref="ReportOptions"/>
/// that <see cref="ProductionReports"/> cuts days and shifts with.
/// </summary>
/// <remarks>
/// Left out, the reports keep their defaults (UTC; Early 06:00, Late 14:00, Night 22:00). A shift runs from its start until
/// the next shift's start; a shift belongs to the day it starts.
/// </remarks>
public sealed class ReportSettings
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = ReportOptions.SectionName;

    /// <summary>An IANA or Windows time-zone id ("Europe/Berlin"); null or empty means UTC.</summary>
    public string? TimeZone { get; set; }

    /// <summary>The shift table; empty keeps the default three 8-hour shifts.</summary>
    public List<ShiftSetting> Shifts { get; set; } = [];

    /// <summary>The report options these settings describe.</summary>
    /// <exception cref="ReportSettingsException">The time zone is unknown, or a shift has no name or a start that is not a whole hour 00:00–23:00.</exception>
    public ReportOptions ToOptions()
    {
        var options = new ReportOptions();
        if (!string.IsNullOrWhiteSpace(TimeZone))
        {
            if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone.Trim(), out var zone))
            {
                throw new ReportSettingsException($"Reports:TimeZone '{TimeZone}' is not a time zone this machine knows; use an IANA id such as \"Europe/Berlin\".");
            }

            options = options with { TimeZone = zone };
        }

        if (Shifts.Count > 0)
        {
            ShiftDefinition[] shifts = [.. Shifts.Select((s, i) => s.ToDefinition(i))];
            if (shifts.DistinctBy(s => s.StartHour).Count() != shifts.Length || shifts.DistinctBy(s => s.Name, StringComparer.OrdinalIgnoreCase).Count() != shifts.Length)
            {
                throw new ReportSettingsException("Reports:Shifts repeats a name or a start hour; give each shift its own name and start.");
            }

            options = options with { Shifts = shifts };
        }

        return options;
    }
}

/// <summary>Checks the <c>Reports</c> section at start, so a wrong time zone or shift table stops the station with its message.</summary>
public sealed class ReportSettingsValidator : IValidateOptions<ReportSettings>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, ReportSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            options.ToOptions();
            return ValidateOptionsResult.Success;
        }
        catch (ReportSettingsException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}

/// <summary>One shift of <see cref="ReportSettings.Shifts"/>.</summary>
public sealed class ShiftSetting
{
    /// <summary>The shift's name ("Early").</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Its local start time, a whole hour: "06:00".</summary>
    public string Start { get; set; } = string.Empty;

    internal ShiftDefinition ToDefinition(int index)
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ReportSettingsException(string.Create(CultureInfo.InvariantCulture, $"Reports:Shifts:{index}:Name is empty; name the shift, e.g. \"Early\"."));
        }

        if (!TimeOnly.TryParseExact(Start, ["H:mm", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var start) || start.Minute != 0)
        {
            throw new ReportSettingsException(string.Create(CultureInfo.InvariantCulture,
                $"Reports:Shifts:{index}:Start '{Start}' is not a whole hour; write it as \"06:00\" (the store buckets attempts by hour)."));
        }

        return new ShiftDefinition(Name.Trim(), start.Hour);
    }
}

/// <summary>The <c>Reports</c> configuration section cannot be used; the message names the key and the fix.</summary>
public sealed class ReportSettingsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ReportSettingsException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ReportSettingsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ReportSettingsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

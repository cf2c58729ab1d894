using System.Globalization;
using System.Text.Json;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Serialization;

namespace ProdFlash.Core.Recipes;

/// <summary>Reads and validates the recipe JSON documented in <c>docs/recipe.md</c>.</summary>
internal static class RecipeReader
{
    private const int Sha256HexLength = 64;

    /// <summary>One hour: longer than any flash operation in the catalog by orders of magnitude; catches minutes typed as seconds.</summary>
    private const double MaxTimeoutSeconds = 3600;

    private static readonly Dictionary<string, ConnectMode> s_modes = new(StringComparer.Ordinal)
    {
        ["normal"] = ConnectMode.Normal,
        ["under-reset"] = ConnectMode.UnderReset,
        ["hot-plug"] = ConnectMode.HotPlug,
    };

    private static readonly Dictionary<string, VerifyMode> s_verify = new(StringComparer.Ordinal)
    {
        ["readback"] = VerifyMode.Readback,
        ["checksum"] = VerifyMode.Checksum,
        ["off"] = VerifyMode.Off,
    };

    private static readonly Dictionary<string, EraseStrategy> s_erase = new(StringComparer.Ordinal)
    {
        ["auto"] = EraseStrategy.Auto,
        ["mass"] = EraseStrategy.Mass,
        ["touched"] = EraseStrategy.Touched,
        ["skip-matching"] = EraseStrategy.SkipMatching,
    };

    private static readonly Dictionary<string, AsciiTermination> s_termination = new(StringComparer.Ordinal)
    {
        ["padded"] = AsciiTermination.Padded,
        ["nul"] = AsciiTermination.NulTerminated,
    };

    private static readonly Dictionary<string, Endianness> s_endian = new(StringComparer.Ordinal)
    {
        ["little"] = Endianness.Little,
        ["big"] = Endianness.Big,
    };

    private static readonly Dictionary<string, AttemptPhase> s_phases =
        Enum.GetValues<AttemptPhase>().ToDictionary(p => char.ToLowerInvariant(p.ToString()[0]) + p.ToString()[1..], StringComparer.Ordinal);

    public static Recipe Read(RecipeJson root)
    {
        var name = NonEmpty(root, "name");
        var version = NonEmpty(root, "version");
        var image = ReadImage(root.Object("image"));
        var devices = ReadDevices(root);
        var genuineness = root.OptionalObject("genuineness") is { } g ? ReadGenuineness(g) : GenuinenessPolicy.RequireGenuine;
        var probe = root.OptionalObject("probe") is { } p ? ReadProbe(p) : ProbePolicy.Default;
        var voltage = root.OptionalObject("voltage") is { } v ? ReadVoltage(v) : VoltageWindow.Board3V3;
        var connect = root.OptionalObject("connect") is { } c ? ReadConnect(c) : ConnectSettings.Default;
        var checks = root.OptionalObject("checks") is { } k ? ReadChecks(k) : CheckSettings.Default;
        var optionBytes = root.OptionalObject("optionBytes") is { } o ? ReadOptionBytes(o, devices) : OptionBytePolicy.Default;
        var erase = root.Enum("erase", s_erase, EraseStrategy.Auto);
        if (erase == EraseStrategy.SkipMatching && !checks.Preverify)
        {
            throw root.Error("erase", "\"skip-matching\" needs $.checks.preverify true: the station must read the flash first to know which pages match.");
        }

        var serial = root.OptionalObject("serial") is { } s ? ReadSerial(s, devices) : null;
        var timeouts = root.OptionalObject("timeouts") is { } t ? ReadTimeouts(t) : PhaseTimeouts.Default;
        root.EnsureAllRead();
        return new Recipe(name, version, image, devices)
        {
            Genuineness = genuineness,
            Probe = probe,
            Voltage = voltage,
            Connect = connect,
            Checks = checks,
            OptionBytes = optionBytes,
            Erase = erase,
            Serial = serial,
            Timeouts = timeouts,
        };
    }

    private static string NonEmpty(RecipeJson json, string key)
    {
        var text = json.String(key);
        return string.IsNullOrWhiteSpace(text) ? throw json.Error(key, "must not be empty.") : text;
    }

    private static RecipeImage ReadImage(RecipeJson json)
    {
        var path = json.OptionalString("path");
        var sha = json.OptionalString("sha256");
        json.EnsureAllRead();
        if (path is null && sha is null)
        {
            throw new RecipeException(json.Source, json.Path, $"{json.Path} needs \"path\", \"sha256\" or both.");
        }

        if (path is not null && string.IsNullOrWhiteSpace(path))
        {
            throw json.Error("path", "must not be empty.");
        }

        if (sha is not null && (sha.Length != Sha256HexLength || !sha.All(char.IsAsciiHexDigit)))
        {
            throw json.Error("sha256", $"\"{sha}\" is not a SHA-256: write 64 hex characters.");
        }

        return new RecipeImage(path, sha?.ToLowerInvariant());
    }

    private static List<ExpectedDevice> ReadDevices(RecipeJson root)
    {
        var items = root.Array("devices", required: true);
        if (items.Count == 0)
        {
            throw root.Error("devices", "is empty; name at least one device.");
        }

        var devices = new List<ExpectedDevice>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = RecipeJson.Open(root.Source, string.Create(CultureInfo.InvariantCulture, $"{root.KeyPath("devices")}[{i}]"), items[i]);
            ExpectedDevice device;
            if (item.Has("part"))
            {
                var number = item.String("part");
                var part = DeviceCatalog.Default.FindPart(number) ?? throw item.Error("part", $"\"{number}\" is not in the device catalog; use a catalog part number (e.g. STM32F103C8) or give devId and flashKiB.");
                device = ExpectedDevice.Of(part);
            }
            else
            {
                var devId = (ushort)item.UInt("devId", DeviceCatalog.DevIdMask);
                var flash = item.UInt("flashKiB", int.MaxValue);
                if (flash == 0)
                {
                    throw item.Error("flashKiB", "must be at least 1.");
                }

                device = new ExpectedDevice(null, devId, (int)flash);
            }

            item.EnsureAllRead(["part", "devId", "flashKiB"]);
            devices.Add(device);
        }

        return devices;
    }

    private static GenuinenessPolicy ReadGenuineness(RecipeJson json)
    {
        var clones = new List<string>();
        var items = json.Array("allowedClones", required: false);
        for (var i = 0; i < items.Count; i++)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"{json.KeyPath("allowedClones")}[{i}]");
            var name = json.AsString(path, items[i]);
            var known = GenuinenessPolicy.KnownCloneFamilies.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new RecipeException(json.Source, path, $"{path} \"{name}\" is not a known clone family; use one of {string.Join(", ", GenuinenessPolicy.KnownCloneFamilies)}.");
            clones.Add(known);
        }

        var unknown = json.Bool("allowUnknown", false);
        json.EnsureAllRead();
        return new GenuinenessPolicy(clones, unknown);
    }

    private static ProbePolicy ReadProbe(RecipeJson json)
    {
        var allowClone = json.Bool("allowClone", false);
        json.EnsureAllRead();
        return new ProbePolicy(allowClone);
    }

    private static VoltageWindow ReadVoltage(RecipeJson json)
    {
        var min = json.Double("min");
        var max = json.Double("max");
        json.EnsureAllRead();
        if (min <= 0)
        {
            throw json.Error("min", $"{V(min)} must be above 0 V; a window that accepts 0 V cannot tell an unpowered board.");
        }

        if (min > max)
        {
            throw json.Error("min", $"{V(min)} is above {json.KeyPath("max")} {V(max)}");
        }

        return new VoltageWindow(min, max);
    }

    private static ConnectSettings ReadConnect(RecipeJson json)
    {
        var d = ConnectSettings.Default;
        var mode = json.Enum("mode", s_modes, d.Mode);
        var frequency = json.OptionalUInt("swdKHz", int.MaxValue) is { } f ? (int)f : d.FrequencyKHz;
        if (frequency == 0)
        {
            throw json.Error("swdKHz", "must be at least 1.");
        }

        var fallback = d.FallbackKHz;
        if (json.Has("fallbackKHz"))
        {
            var items = json.Array("fallbackKHz", required: true);
            var list = new List<int>();
            var previous = frequency;
            for (var i = 0; i < items.Count; i++)
            {
                var path = string.Create(CultureInfo.InvariantCulture, $"{json.KeyPath("fallbackKHz")}[{i}]");
                var value = (int)json.AsUInt(path, items[i], int.MaxValue);
                if (value == 0 || value >= previous)
                {
                    throw new RecipeException(json.Source, path, string.Create(CultureInfo.InvariantCulture,
                        $"{path} {value} must be slower than the frequency before it ({previous} kHz): fallbacks go from fast to slow."));
                }

                list.Add(value);
                previous = value;
            }

            fallback = list;
        }
        else
        {
            json.Optional("fallbackKHz");
            fallback = [.. fallback.Where(f => f < frequency)];
        }

        var underReset = json.Bool("retryUnderReset", d.RetryUnderReset);
        var slower = json.Bool("retrySlower", d.RetrySlower && fallback.Count > 0);
        if (slower && fallback.Count == 0)
        {
            throw json.Error("retrySlower", "is true but $.connect.fallbackKHz names no slower frequency.");
        }

        json.EnsureAllRead();
        return new ConnectSettings(mode, frequency, fallback, underReset, slower);
    }

    private static CheckSettings ReadChecks(RecipeJson json)
    {
        var verify = json.Enum("verify", s_verify, CheckSettings.Default.Verify);
        var preverify = json.Bool("preverify", CheckSettings.Default.Preverify);
        json.EnsureAllRead();
        return new CheckSettings(verify, preverify);
    }

    private static OptionBytePolicy ReadOptionBytes(RecipeJson json, IReadOnlyList<ExpectedDevice> devices)
    {
        var families = devices
            .Select(d => d.Part?.Family ?? DeviceCatalog.Default.FindLine(d.DevId)?.Family)
            .OfType<DeviceFamily>()
            .Distinct()
            .ToList();
        var user = new Dictionary<string, uint>(StringComparer.Ordinal);
        if (json.OptionalObject("user") is { } bits)
        {
            foreach (var (name, value) in bits.Properties())
            {
                var path = bits.KeyPath(name);
                foreach (var family in families)
                {
                    var layout = family.OptionBytes;
                    if (name == layout.Rdp.ByteField || name == layout.Rdp.StatusField)
                    {
                        throw new RecipeException(json.Source, path, $"{path}: set readout protection with {json.KeyPath("finalRdp")}, not as a user bit.");
                    }

                    if (!layout.Fields.TryGetValue(name, out var field))
                    {
                        throw new RecipeException(json.Source, path,
                            $"{path}: {family.Name} has no option field \"{name}\"; its fields are {string.Join(", ", layout.Fields.Keys.Where(k => k != layout.Rdp.ByteField && k != layout.Rdp.StatusField))}.");
                    }

                    var max = field.Width >= 32 ? uint.MaxValue : (1u << field.Width) - 1;
                    var number = json.AsUInt(path, value, uint.MaxValue);
                    if (number > max)
                    {
                        throw new RecipeException(json.Source, path, string.Create(CultureInfo.InvariantCulture,
                            $"{path} {number} does not fit the {field.Width}-bit field {name} of {family.Name} (maximum {max})."));
                    }

                    user[name] = (uint)number;
                }

                if (families.Count == 0)
                {
                    user[name] = (uint)json.AsUInt(path, value, uint.MaxValue);
                }
            }
        }

        var rdp = json.OptionalUInt("finalRdp", 2) is { } r ? (RdpLevel)r : RdpLevel.Level0;
        var regression = json.Bool("allowRdpRegression", false);
        var wrp = json.Bool("allowWriteProtectionRemoval", false);
        var confirm = json.Bool("confirmPermanentLock", false);
        json.EnsureAllRead();
        if (rdp == RdpLevel.Level2)
        {
            if (families.FirstOrDefault(f => f.OptionBytes.Rdp.Level2 is null) is { } noLevel2)
            {
                throw json.Error("finalRdp", $"2: {noLevel2.Name} has no RDP level 2.");
            }

            if (!confirm)
            {
                throw json.Error("finalRdp", $"2 closes the debug port of every unit for good; set {json.KeyPath("confirmPermanentLock")} to true if that is intended.");
            }
        }

        return new OptionBytePolicy(user, rdp, regression, wrp, confirm);
    }

    private static SerialScheme ReadSerial(RecipeJson json, IReadOnlyList<ExpectedDevice> devices)
    {
        var address = (uint)json.UInt("address", uint.MaxValue);
        var start = json.OptionalUInt("start", ulong.MaxValue) ?? 1;
        var step = json.OptionalUInt("step", ulong.MaxValue) ?? 1;
        if (step == 0)
        {
            throw json.Error("step", "must be at least 1.");
        }

        var text = Wrap(json, "text", () => SerialTemplate.Parse(json.String("text")));
        var length = json.OptionalUInt("length", int.MaxValue) is { } l ? (int?)l : null;
        var fill = (byte)(json.OptionalUInt("fill", byte.MaxValue) ?? SerialLayout.ErasedFlash);
        var items = json.Array("fields", required: true);
        var fields = new List<SerialField>();
        for (var i = 0; i < items.Count; i++)
        {
            var field = RecipeJson.Open(json.Source, string.Create(CultureInfo.InvariantCulture, $"{json.KeyPath("fields")}[{i}]"), items[i]);
            fields.Add(ReadField(field, start));
        }

        var layout = Wrap(json, "fields", () => new SerialLayout(fields, length, fill));
        json.EnsureAllRead();
        var scheme = Wrap(json, "address", () => new SerialScheme(text, layout, address, start, step));
        foreach (var device in devices.Where(d => d.Part is not null))
        {
            var part = device.Part!;
            var first = part.Layout.UnitAt(address);
            var last = part.Layout.UnitAt((uint)(address + (ulong)layout.Length - 1));
            if (first is null || last is null)
            {
                throw json.Error("address", string.Create(CultureInfo.InvariantCulture,
                    $"0x{address:X8}: the {layout.Length}-byte serial record is not inside the flash of {part.PartNumber.ToUpperInvariant()} (0x{part.Layout.Start:X8}..0x{part.Layout.End - 1:X8})."));
            }

            var unit = part.Family.ProgrammingUnit.Bytes;
            if (address % unit != 0 || layout.Length % unit != 0)
            {
                throw json.Error("address", string.Create(CultureInfo.InvariantCulture,
                    $"0x{address:X8} with a {layout.Length}-byte record: {part.Family.Name} programs {unit} bytes at a time, so the address and $.serial.length must be multiples of {unit}."));
            }
        }

        return scheme;
    }

    private static SerialField ReadField(RecipeJson json, ulong start)
    {
        var type = json.String("type");
        var offset = json.OptionalUInt("offset", int.MaxValue) is { } o ? (int?)o : null;
        SerialField field = type switch
        {
            "ascii" => Wrap(json, "length", () => new AsciiField(
                (int)json.UInt("length", int.MaxValue),
                json.Enum("termination", s_termination, AsciiTermination.Padded),
                (byte)(json.OptionalUInt("padding", byte.MaxValue) ?? 0),
                json.OptionalString("template") is { } t ? Wrap(json, "template", () => SerialTemplate.Parse(t)) : null,
                offset)),
            "uint" => Wrap(json, "size", () => new IntegerField((int)json.UInt("size", 8), json.Enum("endian", s_endian, Endianness.Little), offset)),
            "bcd" => Wrap(json, "size", () => new BcdField((int)json.UInt("size", int.MaxValue), offset)),
            "mac" => Wrap(json, "base", () => new MacAddressField(
                ParseMac(json, "base"),
                json.UInt("count", ulong.MaxValue),
                json.OptionalUInt("firstSequence", ulong.MaxValue) ?? start,
                offset)),
            "crc32" => new Crc32Field(offset),
            "bytes" => Wrap(json, "hex", () => new ConstantField(ParseHex(json, "hex"), offset)),
            _ => throw json.Error("type", $"\"{type}\" is not a field type; use ascii, uint, bcd, mac, crc32 or bytes."),
        };
        json.EnsureAllRead();
        return field;
    }

    private static ulong ParseMac(RecipeJson json, string key)
    {
        var text = json.String(key);
        var parts = text.Split(':', '-');
        ulong mac = 0;
        if (parts.Length != MacAddressField.MacLength || parts.Any(p => p.Length != 2 || !p.All(char.IsAsciiHexDigit)))
        {
            throw json.Error(key, $"\"{text}\" is not a MAC address; write six hex pairs such as 00:80:E1:00:00:00.");
        }

        foreach (var part in parts)
        {
            mac = (mac << 8) | byte.Parse(part, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        }

        return mac;
    }

    private static byte[] ParseHex(RecipeJson json, string key)
    {
        var text = json.String(key);
        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException ex)
        {
            throw new RecipeException(json.Source, json.KeyPath(key), $"{json.KeyPath(key)} \"{text}\" is not hex bytes (pairs of 0-9, A-F).", ex);
        }
    }

    private static PhaseTimeouts ReadTimeouts(RecipeJson json)
    {
        var overrides = new Dictionary<AttemptPhase, TimeSpan>();
        foreach (var (key, value) in json.Properties())
        {
            var path = json.KeyPath(key);
            if (!s_phases.TryGetValue(key, out var phase))
            {
                throw new RecipeException(json.Source, path, $"{path} is not a phase; use {string.Join(", ", s_phases.Keys)}.");
            }

            var seconds = json.AsDouble(path, value);
            if (seconds <= 0 || seconds > MaxTimeoutSeconds)
            {
                throw new RecipeException(json.Source, path, string.Create(CultureInfo.InvariantCulture,
                    $"{path} {seconds} must be a number of seconds above 0 and at most {MaxTimeoutSeconds}."));
            }

            overrides[phase] = TimeSpan.FromSeconds(seconds);
        }

        return new PhaseTimeouts(overrides);
    }

    private static string V(double volts) => volts.ToString("0.0##", CultureInfo.InvariantCulture);

    private static T Wrap<T>(RecipeJson json, string key, Func<T> build)
    {
        try
        {
            return build();
        }
        catch (SerialSchemeException ex)
        {
            throw new RecipeException(json.Source, json.KeyPath(key), $"{json.KeyPath(key)}: {ex.Message}", ex);
        }
    }
}

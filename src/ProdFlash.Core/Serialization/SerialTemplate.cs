using System.Globalization;
using System.Text;

namespace ProdFlash.Core.Serialization;

/// <summary>
/// A parsed serial text template such as <c>PF{yyMM}-{seq:000000}</c>. Placeholders in braces:
/// <list type="bullet">
/// <item>date fields from the timestamp handed to <see cref="Render"/>, in that timestamp's own offset: <c>yyyy</c>,
/// <c>yy</c>, <c>MM</c>, <c>dd</c>, <c>HH</c>, <c>ww</c> (ISO 8601 week, 01–53), <c>jjj</c> (day of year, 001–366);
/// several may share one pair of braces, joined directly or by <c>-</c>, <c>_</c>, <c>.</c>, <c>/</c> or a space
/// (<c>{yyMM}</c>, <c>{yyyy-MM-dd}</c>);</item>
/// <item><c>{seq}</c> the sequence in decimal; <c>{seq:000000}</c> zero-padded to the number of zeros;
/// <c>{seq:X8}</c> / <c>{seq:x8}</c> upper/lower-case hex padded to 8 digits. A padded width is also the maximum:
/// a sequence that needs more digits is an error, so every serial of a scheme has the same length;</item>
/// <item><c>{station}</c> the station name from the render context.</item>
/// </list>
/// Any other text is literal; <c>{{</c> and <c>}}</c> stand for one brace.
/// </summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed class SerialTemplate
{
    private const int MaxWidth = 20;

    private readonly Token[] _tokens;

    private SerialTemplate(string text, Token[] tokens)
    {
        Text = text;
        _tokens = tokens;
    }

    /// <summary>The template as written.</summary>
    public string Text { get; }

    /// <summary>Whether the template uses <c>{station}</c>.</summary>
    public bool UsesStation => _tokens.Any(t => t.Kind == TokenKind.Station);

    /// <summary>Whether the template uses <c>{seq...}</c>.</summary>
    public bool UsesSequence => _tokens.Any(t => t.Kind == TokenKind.Sequence);

    /// <summary>Parses <paramref name="template"/>.</summary>
    /// <exception cref="SerialTemplateException">A syntax error; the message names the character position.</exception>
    public static SerialTemplate Parse(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var tokens = new List<Token>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                literal.Append('{');
                i += 2;
            }
            else if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                literal.Append('}');
                i += 2;
            }
            else if (c == '}')
            {
                throw new SerialTemplateException(template, i, "a single '}' must be written '}}'.");
            }
            else if (c == '{')
            {
                var close = template.IndexOf('}', i + 1);
                if (close < 0)
                {
                    throw new SerialTemplateException(template, i, "'{' is not closed; write '{{' for a literal brace.");
                }

                if (literal.Length > 0)
                {
                    tokens.Add(Token.Literal(literal.ToString()));
                    literal.Clear();
                }

                tokens.AddRange(ParsePlaceholder(template, i + 1, close));
                i = close + 1;
            }
            else
            {
                literal.Append(c);
                i++;
            }
        }

        if (literal.Length > 0)
        {
            tokens.Add(Token.Literal(literal.ToString()));
        }

        return new SerialTemplate(template, [.. tokens]);
    }

    /// <summary>Renders the template.</summary>
    /// <param name="sequence">The reserved sequence value.</param>
    /// <param name="now">The timestamp the date fields come from.</param>
    /// <param name="station">The station name for <c>{station}</c>; required when the template uses it.</param>
    /// <exception cref="SerialValueException">The sequence needs more digits than a padded placeholder allows, or <c>{station}</c> has no value.</exception>
    public string Render(ulong sequence, DateTimeOffset now, string? station = null)
    {
        var sb = new StringBuilder();
        var date = now.DateTime;
        foreach (var token in _tokens)
        {
            switch (token.Kind)
            {
                case TokenKind.Literal:
                    sb.Append(token.Text);
                    break;
                case TokenKind.Station:
                    if (string.IsNullOrEmpty(station))
                    {
                        throw new SerialValueException($"Serial template \"{Text}\" uses {{station}} but no station name was given; set the station name in the station settings.");
                    }

                    sb.Append(station);
                    break;
                case TokenKind.Sequence:
                    var digits = sequence.ToString(token.Text, CultureInfo.InvariantCulture);
                    if (token.Width > 0 && digits.Length > token.Width)
                    {
                        throw new SerialValueException(string.Create(CultureInfo.InvariantCulture,
                            $"Sequence {sequence} needs {digits.Length} digits but {{seq:{token.Format}}} in serial template \"{Text}\" allows {token.Width}; widen the placeholder or start a new scheme."));
                    }

                    sb.Append(digits);
                    break;
                default:
                    sb.Append(DateField(token.Kind, date));
                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>Returns <see cref="Text"/>.</summary>
    public override string ToString() => Text;

    private static string DateField(TokenKind kind, DateTime date)
    {
        var inv = CultureInfo.InvariantCulture;
        return kind switch
        {
            TokenKind.Year4 => date.Year.ToString("0000", inv),
            TokenKind.Year2 => (date.Year % 100).ToString("00", inv),
            TokenKind.Month => date.Month.ToString("00", inv),
            TokenKind.Day => date.Day.ToString("00", inv),
            TokenKind.Hour => date.Hour.ToString("00", inv),
            TokenKind.IsoWeek => ISOWeek.GetWeekOfYear(date).ToString("00", inv),
            TokenKind.DayOfYear => date.DayOfYear.ToString("000", inv),
            _ => throw new InvalidOperationException($"Unexpected token {kind}."),
        };
    }

    private static IEnumerable<Token> ParsePlaceholder(string template, int start, int end)
    {
        var body = template[start..end];
        if (body.Length == 0)
        {
            throw new SerialTemplateException(template, start - 1, "empty placeholder '{}'.");
        }

        if (body == "station")
        {
            return [Token.Of(TokenKind.Station)];
        }

        if (body == "seq")
        {
            return [new Token(TokenKind.Sequence, "D", 0, string.Empty)];
        }

        if (body.StartsWith("seq:", StringComparison.Ordinal))
        {
            return [ParseSequence(template, start, body[4..])];
        }

        return ParseDate(template, start, body);
    }

    private static Token ParseSequence(string template, int start, string format)
    {
        var at = start + 4;
        if (format.Length == 0)
        {
            throw new SerialTemplateException(template, at, "'{seq:}' needs a format such as 000000 or X8.");
        }

        if (format.All(ch => ch == '0'))
        {
            return format.Length <= MaxWidth
                ? new Token(TokenKind.Sequence, "D" + format.Length.ToString(CultureInfo.InvariantCulture), format.Length, format)
                : throw new SerialTemplateException(template, at, $"at most {MaxWidth} digits.");
        }

        if (format[0] is 'X' or 'x')
        {
            var widthText = format[1..];
            if (widthText.Length == 0)
            {
                return new Token(TokenKind.Sequence, format[..1], 0, format);
            }

            if (!int.TryParse(widthText, NumberStyles.None, CultureInfo.InvariantCulture, out var width) || width is < 1 or > 16)
            {
                throw new SerialTemplateException(template, at + 1, $"hex width \"{widthText}\" must be a number from 1 to 16.");
            }

            return new Token(TokenKind.Sequence, format, width, format);
        }

        throw new SerialTemplateException(template, at, $"unknown sequence format \"{format}\"; use zeros (000000) for padded decimal or X8/x8 for hex.");
    }

    private static IEnumerable<Token> ParseDate(string template, int start, string body)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < body.Length)
        {
            var rest = body.AsSpan(i);
            (TokenKind Kind, int Length)? match =
                rest.StartsWith("yyyy", StringComparison.Ordinal) ? (TokenKind.Year4, 4)
                : rest.StartsWith("yy", StringComparison.Ordinal) ? (TokenKind.Year2, 2)
                : rest.StartsWith("MM", StringComparison.Ordinal) ? (TokenKind.Month, 2)
                : rest.StartsWith("dd", StringComparison.Ordinal) ? (TokenKind.Day, 2)
                : rest.StartsWith("HH", StringComparison.Ordinal) ? (TokenKind.Hour, 2)
                : rest.StartsWith("ww", StringComparison.Ordinal) ? (TokenKind.IsoWeek, 2)
                : rest.StartsWith("jjj", StringComparison.Ordinal) ? (TokenKind.DayOfYear, 3)
                : null;
            if (match is { } m)
            {
                tokens.Add(Token.Of(m.Kind));
                i += m.Length;
            }
            else if (body[i] is '-' or '_' or '.' or '/' or ' ')
            {
                tokens.Add(Token.Literal(body[i].ToString()));
                i++;
            }
            else
            {
                throw new SerialTemplateException(template, start + i,
                    $"unknown placeholder \"{{{body}}}\"; use seq, station or date fields yyyy, yy, MM, dd, HH, ww, jjj.");
            }
        }

        return tokens;
    }

    private enum TokenKind
    {
        Literal,
        Station,
        Sequence,
        Year4,
        Year2,
        Month,
        Day,
        Hour,
        IsoWeek,
        DayOfYear,
    }

    /// <param name="Kind">What the token renders.</param>
    /// <param name="Text">Literal text, or the .NET format string of a sequence.</param>
    /// <param name="Width">Fixed width of a padded sequence, 0 when unpadded.</param>
    /// <param name="Format">The sequence format as written in the template.</param>
    private sealed record Token(TokenKind Kind, string Text, int Width, string Format)
    {
        public static Token Literal(string text) => new(TokenKind.Literal, text, 0, string.Empty);

        public static Token Of(TokenKind kind) => new(kind, string.Empty, 0, string.Empty);
    }
}

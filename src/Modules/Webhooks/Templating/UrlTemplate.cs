namespace Ellity.Webhooks.Templating;

/// <summary>
/// A webhook URL with <c>#name#</c> placeholders. Values are percent-encoded so that an e-mail or a note
/// cannot change the URL's structure (add a query parameter, a path segment, a fragment).
/// </summary>
public sealed class UrlTemplate
{
    // Room reserved per placeholder when sizing the output; a guess, the buffer grows when it is short.
    private const int CharsPerPlaceholderGuess = 32;

    private readonly string _text;
    private readonly TemplateSegment[] _segments;
    private readonly int _lengthEstimate;

    private UrlTemplate(string text, TemplateSegment[] segments, IReadOnlyList<string> names, int lengthEstimate)
    {
        _text = text;
        _segments = segments;
        _lengthEstimate = lengthEstimate;
        VariableNames = names;
    }

    /// <summary>Distinct variable names in order of first appearance.</summary>
    public IReadOnlyList<string> VariableNames { get; }

    /// <summary>The template as written.</summary>
    public string Text => _text;

    /// <summary>Where the first placeholder starts in <see cref="Text"/>, or -1 when there is none.</summary>
    public int FirstPlaceholderAt => _segments.FirstOrDefault(s => s.Kind != SegmentKind.Literal) is { Name: not null } first ? first.Start : -1;

    /// <summary>Never fails: whatever is not a placeholder is literal text.</summary>
    public static UrlTemplate Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new SegmentBuilder(text);
        for (int i = text.IndexOf('#'); i >= 0; i = text.IndexOf('#', i))
        {
            int length = Placeholder.LengthAt(text, i);
            if (length > 0) builder.AddPlaceholder(i, length, SegmentKind.Text);
            i += Math.Max(length, 1);
        }
        TemplateSegment[] segments = builder.Build();
        int estimate = builder.LiteralLength + builder.PlaceholderCount * CharsPerPlaceholderGuess;
        return new UrlTemplate(text, segments, builder.Names, estimate);
    }

    /// <summary>Fills in the values, percent-encoded; a variable missing from <paramref name="values"/> renders empty.</summary>
    public string Render(IReadOnlyDictionary<string, TemplateValue> values) => Render(values, int.MaxValue)!;

    /// <summary>As <see cref="Render(IReadOnlyDictionary{string, TemplateValue})"/>, or null once the output passes <paramref name="maxLength"/> chars.</summary>
    public string? Render(IReadOnlyDictionary<string, TemplateValue> values, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(values);
        var buffer = _lengthEstimate <= CharBuffer.StackLimit
            ? new CharBuffer(stackalloc char[_lengthEstimate])
            : new CharBuffer(_lengthEstimate);
        foreach (ref readonly TemplateSegment segment in _segments.AsSpan())
        {
            if (segment.Kind == SegmentKind.Literal) buffer.Append(_text.AsSpan(segment.Start, segment.Length));
            else if (values.TryGetValue(segment.Name!, out TemplateValue value)) AppendEncoded(ref buffer, value);
            if (buffer.Length > maxLength)
            {
                buffer.Dispose();
                return null;
            }
        }
        return buffer.ToStringAndDispose();
    }

    private static void AppendEncoded(ref CharBuffer buffer, TemplateValue value)
    {
        // Invariant decimals are only digits, '-' and '.', which need no encoding.
        if (value.IsNumber)
        {
            buffer.AppendNumber(value.NumericValue);
            return;
        }
        ReadOnlySpan<char> text = value.TextValue;
        // Most values are ASCII (x3 covers "%XX" for each); a UTF-16 char never needs more than 9 ("%XX%XX%XX").
        int reserve = text.Length * 3;
        int written;
        while (!Uri.TryEscapeDataString(text, buffer.Reserve(reserve), out written)) reserve = text.Length * 9;
        buffer.Advance(written);
    }
}

using System.Diagnostics.CodeAnalysis;

namespace Ellity.Webhooks.Templating;

/// <summary>
/// A JSON body with <c>#name#</c> placeholders, either inside JSON strings (the value is JSON-escaped) or
/// standing as whole JSON values (a number, or a JSON string). The rendered body is the user's text byte
/// for byte except for the placeholders, and is valid JSON whatever the values.
/// </summary>
public sealed class BodyTemplate
{
    // Room reserved per placeholder when sizing the output; a guess, the buffer grows when it is short.
    private const int CharsPerPlaceholderGuess = 32;

    private readonly string _text;
    private readonly TemplateSegment[] _segments;
    private readonly int _lengthEstimate;

    private BodyTemplate(string text, TemplateSegment[] segments, IReadOnlyList<string> names, int lengthEstimate)
    {
        _text = text;
        _segments = segments;
        _lengthEstimate = lengthEstimate;
        VariableNames = names;
    }

    /// <summary>Distinct variable names in order of first appearance.</summary>
    public IReadOnlyList<string> VariableNames { get; }

    public static bool TryParse(
        string text, [NotNullWhen(true)] out BodyTemplate? template, [NotNullWhen(false)] out TemplateError? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        template = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = new TemplateError(0, 1, 1, "The body template is empty.");
            return false;
        }
        SegmentBuilder builder = Scan(text);
        TemplateSegment[] segments = builder.Build();
        error = JsonTemplateValidator.Validate(text, segments);
        if (error is not null) return false;
        int estimate = builder.LiteralLength + builder.PlaceholderCount * CharsPerPlaceholderGuess;
        template = new BodyTemplate(text, segments, builder.Names, estimate);
        return true;
    }

    /// <summary>Fills in the values; a variable missing from <paramref name="values"/> renders as empty text, or <c>""</c> as a value.</summary>
    public string Render(IReadOnlyDictionary<string, TemplateValue> values) => Render(values, int.MaxValue)!;

    /// <summary>
    /// As <see cref="Render(IReadOnlyDictionary{string, TemplateValue})"/>, but gives up (null) as soon as the output
    /// passes <paramref name="maxLength"/> chars, so an oversized render never builds the whole text.
    /// </summary>
    public string? Render(IReadOnlyDictionary<string, TemplateValue> values, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(values);
        var buffer = _lengthEstimate <= CharBuffer.StackLimit
            ? new CharBuffer(stackalloc char[_lengthEstimate])
            : new CharBuffer(_lengthEstimate);
        foreach (ref readonly TemplateSegment segment in _segments.AsSpan())
        {
            if (segment.Kind == SegmentKind.Literal)
            {
                buffer.Append(_text.AsSpan(segment.Start, segment.Length));
            }
            else
            {
                AppendValue(ref buffer, segment, values);
            }
            if (buffer.Length > maxLength)
            {
                buffer.Dispose();
                return null;
            }
        }
        return buffer.ToStringAndDispose();
    }

    private static void AppendValue(ref CharBuffer buffer, in TemplateSegment segment, IReadOnlyDictionary<string, TemplateValue> values)
    {
        bool asValue = segment.Kind == SegmentKind.Value;
        if (!values.TryGetValue(segment.Name!, out TemplateValue value))
        {
            if (asValue) buffer.Append("\"\"");
        }
        else if (value.IsNumber)
        {
            buffer.AppendNumber(value.NumericValue);
        }
        else
        {
            if (asValue) buffer.Append('"');
            JsonEscaping.Append(ref buffer, value.TextValue);
            if (asValue) buffer.Append('"');
        }
    }

    /// <summary>
    /// Finds the placeholders, telling those inside JSON strings from those outside. Whether an outside
    /// one really stands as a whole value is left to the JSON validation.
    /// </summary>
    private static SegmentBuilder Scan(string text)
    {
        var builder = new SegmentBuilder(text);
        bool inString = false;
        for (int i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\\' when inString:
                    i++; // the escaped char, e.g. \" or \\, cannot end the string
                    break;
                case '"':
                    inString = !inString;
                    break;
                case '#':
                    int length = Placeholder.LengthAt(text, i);
                    if (length == 0) break;
                    builder.AddPlaceholder(i, length, inString ? SegmentKind.Text : SegmentKind.Value);
                    i += length - 1;
                    break;
            }
        }
        return builder;
    }
}

using System.Text;
using System.Text.Json;

namespace Ellity.Webhooks.Templating;

/// <summary>
/// Checks that a body template renders to strict JSON (no comments, no trailing commas) whatever the values,
/// reporting the position of the first problem in the template's own coordinates.
/// </summary>
internal static class JsonTemplateValidator
{
    public static TemplateError? Validate(string text, ReadOnlySpan<TemplateSegment> segments)
    {
        // Each placeholder outside strings becomes "[]" padded with spaces to its own length, so positions do
        // not move. An empty array is valid exactly where a whole value is, and unlike 0 or "" it cannot merge
        // with a neighbouring token (1#a# would read as 10, -#a# as -0) or pass as an object key ({#a#: 1}).
        // One extra space at the end: the reader reports a number ending the data inside an unclosed object
        // ({"a": 1) as a bad number instead of as the missing brace.
        char[] json = new char[text.Length + 1];
        text.CopyTo(json);
        json[^1] = ' ';
        foreach (TemplateSegment segment in segments)
        {
            if (segment.Kind != SegmentKind.Value) continue;
            json.AsSpan(segment.Start, segment.Length).Fill(' ');
            json[segment.Start] = '[';
            json[segment.Start + 1] = ']';
        }

        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
        });
        try
        {
            while (reader.Read())
            {
            }
            return null;
        }
        catch (JsonException e)
        {
            int offset = CharOffset(text, e.LineNumber ?? 0, e.BytePositionInLine ?? 0);
            return Error(text, offset, Explain(text, segments, offset, e));
        }
    }

    private static TemplateError Error(string text, int offset, string detail)
    {
        int lineStart = text.AsSpan(0, offset).LastIndexOf('\n') + 1;
        int line = text.AsSpan(0, lineStart).Count('\n') + 1;
        int column = offset - lineStart + 1;
        return new TemplateError(offset, line, column, $"Invalid JSON at line {line}, column {column}: {detail}");
    }

    private static string? PlaceholderAt(ReadOnlySpan<TemplateSegment> segments, int offset)
    {
        foreach (TemplateSegment segment in segments)
        {
            if (segment.Kind == SegmentKind.Value && offset >= segment.Start && offset < segment.Start + segment.Length)
                return segment.Name;
        }
        return null;
    }

    /// <summary>
    /// The reader counts lines by '\n' and positions in UTF-8 bytes; walk the template's chars accordingly
    /// (2 bytes up to U+07FF, 4 for a surrogate pair, 3 otherwise, including the U+FFFD a lone surrogate becomes).
    /// </summary>
    private static int CharOffset(string text, long lineNumber, long bytePositionInLine)
    {
        int offset = 0;
        for (long line = 0; line < lineNumber; line++)
        {
            int newLine = text.IndexOf('\n', offset);
            if (newLine < 0) return text.Length;
            offset = newLine + 1;
        }
        for (long bytes = 0; bytes < bytePositionInLine && offset < text.Length; offset++)
        {
            char c = text[offset];
            if (c < 0x80) bytes += 1;
            else if (c < 0x800) bytes += 2;
            else if (char.IsHighSurrogate(c) && offset + 1 < text.Length && char.IsLowSurrogate(text[offset + 1]))
            {
                bytes += 4;
                offset++;
            }
            else bytes += 3;
        }
        return offset;
    }

    /// <summary>
    /// Our words where the reader's would confuse a shop user (it would talk about the "[]" stand-in, or advise
    /// changing reader options); otherwise the reader's explanation without its position suffix (we report ours).
    /// </summary>
    private static string Explain(string text, ReadOnlySpan<TemplateSegment> segments, int offset, JsonException e)
    {
        if (PlaceholderAt(segments, offset) is { } name)
            return $"the placeholder #{name}# must be inside a JSON string or stand as a whole value (e.g. \"credit\": #{name}#).";
        if (offset < text.Length && text[offset] is '}' or ']' && text.AsSpan(0, offset).TrimEnd().EndsWith(","))
            return $"a comma cannot stand right before '{text[offset]}'.";
        string message = e.Message;
        int suffix = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return suffix < 0 ? message : message[..suffix];
    }
}

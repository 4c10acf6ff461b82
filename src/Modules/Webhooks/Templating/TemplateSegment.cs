namespace Ellity.Webhooks.Templating;

internal enum SegmentKind : byte
{
    /// <summary>The user's text, copied as is.</summary>
    Literal,

    /// <summary>A placeholder inside text (a URL, a JSON string): the value is escaped for that context.</summary>
    Text,

    /// <summary>A placeholder standing as a whole JSON value: a number, a JSON string, or <c>""</c> when missing.</summary>
    Value,
}

/// <summary>
/// A piece of a parsed template. Start and Length point into the template text, so literals are not copied
/// and placeholder positions stay available for error reporting.
/// </summary>
internal readonly record struct TemplateSegment(SegmentKind Kind, int Start, int Length, string? Name);

/// <summary>Collects the segments and distinct variable names while a parser walks the template once.</summary>
internal sealed class SegmentBuilder(string text)
{
    private readonly List<TemplateSegment> _segments = [];
    private readonly List<string> _names = [];
    private int _literalStart;

    public int LiteralLength { get; private set; }

    public IReadOnlyList<string> Names => _names.AsReadOnly();

    public int PlaceholderCount { get; private set; }

    public void AddPlaceholder(int start, int length, SegmentKind kind)
    {
        AddLiteralUpTo(start);
        string name = text.Substring(start + 1, length - 2);
        int known = _names.IndexOf(name);
        if (known >= 0) name = _names[known];
        else _names.Add(name);
        _segments.Add(new TemplateSegment(kind, start, length, name));
        PlaceholderCount++;
        _literalStart = start + length;
    }

    public TemplateSegment[] Build()
    {
        AddLiteralUpTo(text.Length);
        return [.. _segments];
    }

    private void AddLiteralUpTo(int end)
    {
        if (end == _literalStart) return;
        _segments.Add(new TemplateSegment(SegmentKind.Literal, _literalStart, end - _literalStart, null));
        LiteralLength += end - _literalStart;
        _literalStart = end;
    }
}

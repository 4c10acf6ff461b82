using System.Buffers;

namespace Ellity.Webhooks.Templating;

/// <summary>
/// Escapes a value for the inside of a JSON string. Only what JSON requires is escaped (<c>"</c>, <c>\</c>,
/// control characters) plus DEL and U+2028/U+2029 (so the body is also safe inside JavaScript); other
/// non-ASCII text such as <c>č</c> stays readable. A lone surrogate becomes U+FFFD, which is what UTF-8
/// encoding would turn it into anyway.
/// </summary>
internal static class JsonEscaping
{
    // Printable ASCII except '"' and '\': a vectorized search skips runs of these, which is most of a typical value.
    private static readonly SearchValues<char> PlainAscii = SearchValues.Create(PlainAsciiChars());

    public static void Append(ref CharBuffer buffer, ReadOnlySpan<char> text)
    {
        int i;
        while ((i = text.IndexOfAnyExcept(PlainAscii)) >= 0)
        {
            buffer.Append(text[..i]);
            text = text[(i + AppendSpecial(ref buffer, text[i..]))..];
        }
        buffer.Append(text);
    }

    /// <summary>Writes the first char of <paramref name="text"/>, escaped if needed; returns how many chars it consumed.</summary>
    private static int AppendSpecial(ref CharBuffer buffer, ReadOnlySpan<char> text)
    {
        char c = text[0];
        switch (c)
        {
            case '"': buffer.Append("\\\""); break;
            case '\\': buffer.Append("\\\\"); break;
            case '\n': buffer.Append("\\n"); break;
            case '\r': buffer.Append("\\r"); break;
            case '\t': buffer.Append("\\t"); break;
            case '\b': buffer.Append("\\b"); break;
            case '\f': buffer.Append("\\f"); break;
            case < ' ' or '\u007F' or '\u2028' or '\u2029': AppendUnicodeEscape(ref buffer, c); break;
            case var _ when char.IsHighSurrogate(c) && text.Length > 1 && char.IsLowSurrogate(text[1]):
                buffer.Append(text[..2]);
                return 2;
            case var _ when char.IsSurrogate(c): buffer.Append('\uFFFD'); break;
            default: buffer.Append(c); break;
        }
        return 1;
    }

    private static void AppendUnicodeEscape(ref CharBuffer buffer, char c)
    {
        Span<char> escape = buffer.Reserve(6);
        escape[0] = '\\';
        escape[1] = 'u';
        ((int)c).TryFormat(escape[2..], out _, "X4");
        buffer.Advance(6);
    }

    private static char[] PlainAsciiChars()
    {
        var chars = new List<char>();
        for (char c = ' '; c <= '~'; c++)
        {
            if (c is not ('"' or '\\')) chars.Add(c);
        }
        return [.. chars];
    }
}

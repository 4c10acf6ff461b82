using System.Buffers;

namespace Ellity.Webhooks.Templating;

/// <summary>
/// The <c>#name#</c> syntax. Names are <c>[A-Za-z][A-Za-z0-9._]*</c> so that ordinary uses of <c>#</c>
/// (URL fragments, colours like <c>#fff</c>, <c>##</c>) stay literal text.
/// </summary>
public static class Placeholder
{
    private static readonly SearchValues<char> NameChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._");

    /// <summary>
    /// Length of the placeholder <c>#name#</c> starting at <paramref name="index"/> (where the text has a <c>#</c>),
    /// or 0 when that <c>#</c> is literal.
    /// </summary>
    internal static int LengthAt(ReadOnlySpan<char> text, int index)
    {
        ReadOnlySpan<char> rest = text[(index + 1)..];
        int nameLength = NameLength(rest);
        return nameLength > 0 && nameLength < rest.Length && rest[nameLength] == '#' ? nameLength + 2 : 0;
    }

    /// <summary>Length of the valid name at the start of <paramref name="text"/>, 0 when there is none.</summary>
    private static int NameLength(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || !char.IsAsciiLetter(text[0])) return 0;
        int end = text[1..].IndexOfAnyExcept(NameChars);
        return end < 0 ? text.Length : end + 1;
    }
}

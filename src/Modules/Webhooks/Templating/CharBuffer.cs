using System.Buffers;
using System.Globalization;

namespace Ellity.Webhooks.Templating;

/// <summary>
/// Render output buffer: starts on the stack (or on one pooled array for large templates) so that the only
/// allocation of a render is the final string.
/// </summary>
internal ref struct CharBuffer
{
    // Up to this many chars the output is built on the stack; webhook bodies are usually well under it.
    public const int StackLimit = 512;

    // "-0.0000000000000000000000000001" and "-7.9228162514264337593543950335" are the longest decimals: 31 chars.
    private const int MaxDecimalChars = 32;

    private char[]? _rented;
    private Span<char> _chars;
    private int _length;

    public CharBuffer(Span<char> initial) => _chars = initial;

    public CharBuffer(int capacity) => _chars = _rented = ArrayPool<char>.Shared.Rent(capacity);

    public readonly int Length => _length;

    public void Append(char c)
    {
        if (_length == _chars.Length) Grow(1);
        _chars[_length++] = c;
    }

    public void Append(ReadOnlySpan<char> text)
    {
        if (text.Length > _chars.Length - _length) Grow(text.Length);
        text.CopyTo(_chars[_length..]);
        _length += text.Length;
    }

    public void AppendNumber(decimal value)
    {
        value.TryFormat(Reserve(MaxDecimalChars), out int written, provider: CultureInfo.InvariantCulture);
        _length += written;
    }

    /// <summary>Free space of at least <paramref name="minimum"/> chars for in-place writers; commit with <see cref="Advance"/>.</summary>
    public Span<char> Reserve(int minimum)
    {
        if (minimum > _chars.Length - _length) Grow(minimum);
        return _chars[_length..];
    }

    public void Advance(int count) => _length += count;

    public string ToStringAndDispose()
    {
        string result = _chars[.._length].ToString();
        Dispose();
        return result;
    }

    /// <summary>Returns the pooled array, if any. A render that throws skips this; the array is then just collected.</summary>
    public void Dispose()
    {
        char[]? rented = _rented;
        this = default;
        if (rented is not null) ArrayPool<char>.Shared.Return(rented);
    }

    private void Grow(int needed)
    {
        char[] larger = ArrayPool<char>.Shared.Rent(Math.Max(_length + needed, _chars.Length * 2));
        _chars[.._length].CopyTo(larger);
        char[]? old = _rented;
        _chars = _rented = larger;
        if (old is not null) ArrayPool<char>.Shared.Return(old);
    }
}

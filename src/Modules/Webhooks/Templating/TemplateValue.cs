using System.Globalization;

namespace Ellity.Webhooks.Templating;

/// <summary>The value of one template variable: text, or a number that a body renders as a JSON number.</summary>
public readonly record struct TemplateValue
{
    private readonly string? _text;

    private TemplateValue(string? text, decimal number, bool isNumber)
    {
        _text = text;
        NumericValue = number;
        IsNumber = isNumber;
    }

    public bool IsNumber { get; }

    /// <summary>Renderers format the number straight into their buffer instead of going through <see cref="AsText"/>.</summary>
    internal decimal NumericValue { get; }

    internal string TextValue => _text ?? "";

    /// <summary>The value as text; numbers in invariant culture (<c>1234.5</c>) whatever the server's culture.</summary>
    public string AsText => IsNumber ? NumericValue.ToString(CultureInfo.InvariantCulture) : TextValue;

    public static TemplateValue Text(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new TemplateValue(value, 0m, isNumber: false);
    }

    public static TemplateValue Number(decimal value) => new(null, value, isNumber: true);

    public override string ToString() => AsText;
}

using System.Globalization;
using System.Text.Json;

namespace Ellity.Webhooks.Conditions;

/// <summary>A condition as the API takes it: <see cref="Value"/> a JSON string or number (100 and "100" are the same).</summary>
public sealed record ConditionInput(string? Variable, string? Operator, JsonElement? Value = null)
{
    public const int MaxConditions = 10;
    public const int MaxValueLength = 500;

    /// <summary>The value as text, or null when there is none; false when it is neither a string nor a number.</summary>
    public bool TryText(out string? text)
    {
        text = null;
        switch (Value?.ValueKind)
        {
            case null or JsonValueKind.Null or JsonValueKind.Undefined: return true;
            case JsonValueKind.String: text = Value.Value.GetString(); return true;
            case JsonValueKind.Number:
                text = Value.Value.TryGetDecimal(out var number) ? number.ToString(CultureInfo.InvariantCulture) : Value.Value.GetRawText();
                return true;
            default: return false;
        }
    }
}

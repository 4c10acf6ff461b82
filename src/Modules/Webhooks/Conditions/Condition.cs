using System.Globalization;
using Ellity.Webhooks.Templating;
using Ellity.Webhooks.Triggers;

namespace Ellity.Webhooks.Conditions;

/// <summary>
/// One condition on a variable of the webhook's trigger (<c>creditChange.value &gt;= 100</c>); a webhook sends only the
/// events for which all of its conditions hold. <see cref="Value"/> is null for the operators that take none.
/// </summary>
public sealed record Condition(string Variable, string Operator, string? Value)
{
    /// <summary>
    /// Whether the condition holds for an event's values. A value the event lacks is empty text: it equals nothing but
    /// empty, and no number comparison holds for it. Numbers compare as decimals, text ignoring case.
    /// </summary>
    public bool Holds(IReadOnlyDictionary<string, TemplateValue> values)
    {
        var found = values.TryGetValue(Variable, out var actual);
        if (!found || !actual.IsNumber)
        {
            var text = found ? actual.TextValue : "";
            return Operator switch
            {
                ConditionOperator.IsEmpty => text.Length == 0,
                ConditionOperator.IsNotEmpty => text.Length > 0,
                ConditionOperator.Contains => text.Contains(Value!, StringComparison.OrdinalIgnoreCase),
                ConditionOperator.StartsWith => text.StartsWith(Value!, StringComparison.OrdinalIgnoreCase),
                ConditionOperator.EqualTo => string.Equals(text, Value, StringComparison.OrdinalIgnoreCase),
                ConditionOperator.NotEqualTo => !string.Equals(text, Value, StringComparison.OrdinalIgnoreCase),
                // No number comparison holds for text, nor for a value the event lacks.
                _ => false,
            };
        }
        if (!ConditionOperator.TryNumber(Value, out var limit)) return Operator == ConditionOperator.NotEqualTo;
        var number = actual.NumericValue;
        return Operator switch
        {
            ConditionOperator.EqualTo => number == limit,
            ConditionOperator.NotEqualTo => number != limit,
            ConditionOperator.LessThan => number < limit,
            ConditionOperator.AtMost => number <= limit,
            ConditionOperator.GreaterThan => number > limit,
            ConditionOperator.AtLeast => number >= limit,
            _ => false,
        };
    }

    /// <summary>As a shop owner reads it: <c>creditChange.value &gt;= 100</c>, <c>customer.email is empty</c>.</summary>
    public override string ToString() => Value is null ? $"{Variable} {Operator}" : $"{Variable} {Operator} {Value}";

    /// <summary>The first of <paramref name="conditions"/> that does not hold, or null when all do (or there are none).</summary>
    public static Condition? FirstUnmet(IReadOnlyList<Condition>? conditions, IReadOnlyDictionary<string, TemplateValue> values)
    {
        if (conditions is null) return null;
        foreach (var condition in conditions)
            if (!condition.Holds(values)) return condition;
        return null;
    }
}

/// <summary>The operators a condition may use, and which variable types each takes.</summary>
public static class ConditionOperator
{
    public const string EqualTo = "=";
    public const string NotEqualTo = "!=";
    public const string LessThan = "<";
    public const string AtMost = "<=";
    public const string GreaterThan = ">";
    public const string AtLeast = ">=";
    public const string Contains = "contains";
    public const string StartsWith = "startsWith";
    public const string IsEmpty = "isEmpty";
    public const string IsNotEmpty = "isNotEmpty";

    public static readonly IReadOnlyList<string> ForNumbers = [EqualTo, NotEqualTo, LessThan, AtMost, GreaterThan, AtLeast];
    public static readonly IReadOnlyList<string> ForText = [EqualTo, NotEqualTo, Contains, StartsWith, IsEmpty, IsNotEmpty];

    public static IReadOnlyList<string> For(VariableType type) => type == VariableType.Number ? ForNumbers : ForText;

    public static bool TakesValue(string op) => op is not (IsEmpty or IsNotEmpty);

    /// <summary>A number as a condition writes it: invariant culture, a point for decimals, no thousands separators.</summary>
    public static bool TryNumber(string? text, out decimal number) =>
        decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out number);
}

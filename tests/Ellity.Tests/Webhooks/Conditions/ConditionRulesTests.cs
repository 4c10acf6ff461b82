using Ellity.Webhooks.Conditions;
using Ellity.Webhooks.Templating;

namespace Ellity.Tests.Webhooks.Conditions;

/// <summary>How a condition reads an event's values, without a database.</summary>
public sealed class ConditionRulesTests
{
    private static readonly Dictionary<string, TemplateValue> Event = new()
    {
        ["creditChange.value"] = TemplateValue.Number(100m),
        ["customer.credit"] = TemplateValue.Number(-20.5m),
        ["customer.tier.id"] = TemplateValue.Text("gold"),
        ["customer.email"] = TemplateValue.Text("Jana.Novakova@Firma.cz"),
        ["creditChange.reason"] = TemplateValue.Text(""),
    };

    [Theory]
    [InlineData("creditChange.value", ">=", "100", true)]
    [InlineData("creditChange.value", ">", "100", false)]
    [InlineData("creditChange.value", ">", "99.99", true)]
    [InlineData("creditChange.value", "<", "1e3", true)]
    [InlineData("creditChange.value", "<=", "100.00", true)]
    [InlineData("creditChange.value", "=", "100.0", true)]
    [InlineData("creditChange.value", "!=", "100", false)]
    [InlineData("customer.credit", "<", "0", true)]
    [InlineData("customer.credit", ">=", "-20.5", true)]
    [InlineData("customer.credit", ">", "-20.50", false)]
    [InlineData("customer.tier.id", "=", "gold", true)]
    [InlineData("customer.tier.id", "=", "GOLD", true)]
    [InlineData("customer.tier.id", "!=", "silver", true)]
    [InlineData("customer.tier.id", "=", "gol", false)]
    [InlineData("customer.email", "contains", "@firma.cz", true)]
    [InlineData("customer.email", "startsWith", "jana.", true)]
    [InlineData("customer.email", "startsWith", "firma", false)]
    [InlineData("customer.email", "isNotEmpty", null, true)]
    [InlineData("creditChange.reason", "isEmpty", null, true)]
    [InlineData("creditChange.reason", "isNotEmpty", null, false)]
    public void a_condition_compares_numbers_as_decimals_and_text_ignoring_case(string variable, string op, string? value, bool holds)
    {
        Assert.Equal(holds, new Condition(variable, op, value).Holds(Event));
    }

    [Theory]
    [InlineData("=", "100", false)]
    [InlineData("!=", "100", true)]
    [InlineData("<", "100", false)]
    [InlineData(">=", "-1000", false)]
    [InlineData("isEmpty", null, true)]
    [InlineData("contains", "a", false)]
    public void a_variable_the_event_lacks_is_empty_and_no_number_comparison_holds_for_it(string op, string? value, bool holds)
    {
        Assert.Equal(holds, new Condition("tierChange.previous.id", op, value).Holds(Event));
    }

    [Fact]
    public void the_first_unmet_condition_is_the_reason_and_none_means_every_event_is_sent()
    {
        Condition[] conditions = [new("customer.tier.id", "=", "gold"), new("creditChange.value", ">=", "500"), new("customer.credit", "<", "0")];

        Assert.Equal(conditions[1], Condition.FirstUnmet(conditions, Event));
        Assert.Equal("creditChange.value >= 500", conditions[1].ToString());
        Assert.Equal("customer.email isEmpty", new Condition("customer.email", "isEmpty", null).ToString());
        Assert.Null(Condition.FirstUnmet(null, Event));
        Assert.Null(Condition.FirstUnmet([], Event));
        Assert.Null(Condition.FirstUnmet(conditions[..1], Event));
    }
}

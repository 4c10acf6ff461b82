using System.Globalization;
using Ellity.Customers.Contracts;
using Ellity.Webhooks.Templating;

namespace Ellity.Webhooks.Triggers;

public enum VariableType { Text, Number }

/// <summary>A variable a trigger carries, with what a shop owner needs to pick it.</summary>
public sealed record Variable(string Name, string Description, string Sample, VariableType Type)
{
    public TemplateValue SampleValue => Type == VariableType.Number
        ? TemplateValue.Number(decimal.Parse(Sample, CultureInfo.InvariantCulture))
        : TemplateValue.Text(Sample);
}

/// <summary>
/// What a webhook can listen to: the customer integration event it fires on, the variables it carries (the common ones,
/// then its own) and how its own are read from the event. Made with <see cref="On{TEvent}"/>.
/// </summary>
public sealed class Trigger
{
    private readonly Action<ICustomerIntegrationEvent, Dictionary<string, TemplateValue>> _fill;

    private Trigger(string name, string description, Type eventType, IReadOnlyList<Variable> variables,
        Action<ICustomerIntegrationEvent, Dictionary<string, TemplateValue>> fill)
    {
        Name = name;
        Description = description;
        EventType = eventType;
        Variables = variables;
        _fill = fill;
        SampleValues = variables.ToDictionary(v => v.Name, v => v.SampleValue);
    }

    public string Name { get; }
    public string Description { get; }
    public Type EventType { get; }
    public IReadOnlyList<Variable> Variables { get; }
    public IReadOnlyDictionary<string, TemplateValue> SampleValues { get; }

    /// <summary>
    /// A trigger firing on every <typeparamref name="TEvent"/>. <paramref name="own"/> are the variables it carries besides
    /// the common ones; <paramref name="fill"/> puts their values for an event in, leaving out what the event lacks
    /// (it then renders empty).
    /// </summary>
    public static Trigger On<TEvent>(string name, string description, IReadOnlyList<Variable>? own = null,
        Action<TEvent, Dictionary<string, TemplateValue>>? fill = null) where TEvent : ICustomerIntegrationEvent =>
        new(name, description, typeof(TEvent),
            [.. Common.Select(v => v.Name == "event.type" ? v with { Sample = name } : v), .. own ?? []],
            (e, values) => fill?.Invoke((TEvent)e, values));

    /// <summary>What every trigger carries: the customer right after the event, the e-shop and the event itself.</summary>
    public static IReadOnlyList<Variable> Common { get; } =
    [
        new("customer.id", "Customer id", "0193a5b2-7c1e-7d3a-9f10-2b4c6d8e0f12", VariableType.Text),
        new("customer.email", "Customer e-mail", "jana.novakova@example.cz", VariableType.Text),
        new("customer.credit", "Customer credit balance after the event", "1250.5", VariableType.Number),
        new("customer.group.id", "Customer group id", "retail", VariableType.Text),
        new("customer.group.name", "Customer group name", "Maloobchod", VariableType.Text),
        new("customer.tier.id", "VIP tier id", "gold", VariableType.Text),
        new("customer.tier.name", "VIP tier name", "Zlatá", VariableType.Text),
        new("account.eshopId", "E-shop id", "muj-eshop", VariableType.Text),
        new("event.id", "Unique id of the event", "0193a5b2-8d2f-7e4b-a021-3c5d7e9f1a23", VariableType.Text),
        new("event.type", "Trigger name of the event", "customer.credit.changed", VariableType.Text),
        new("event.occurredAt", "When the event happened (ISO 8601, UTC)", "2026-11-27T10:15:30.000Z", VariableType.Text),
    ];

    public bool Carries(string variable) => Variables.Any(v => v.Name == variable);

    public bool FiresOn(ICustomerIntegrationEvent e) => EventType.IsInstanceOfType(e);

    /// <summary>The sample values with the real e-shop id: what a preview shows and a test delivery sends.</summary>
    public Dictionary<string, TemplateValue> SampleValuesFor(string eshopId) =>
        new(SampleValues) { ["account.eshopId"] = TemplateValue.Text(eshopId) };

    /// <summary>The values of every variable this trigger carries that <paramref name="e"/> has.</summary>
    public Dictionary<string, TemplateValue> ValuesFor(ICustomerIntegrationEvent e)
    {
        if (!FiresOn(e)) throw new ArgumentException($"Trigger {Name} does not fire on {e.GetType().Name}.", nameof(e));
        var values = StateValuesFor(e.Customer, e.EventId, e.OccurredAt);
        _fill(e, values);
        return values;
    }

    /// <summary>
    /// The common variables for a customer's state at <paramref name="at"/> with no event behind it (a resync): the
    /// trigger's own variables describe a change, so they render empty.
    /// </summary>
    public Dictionary<string, TemplateValue> StateValuesFor(CustomerSnapshot c, Guid eventId, DateTimeOffset at)
    {
        var values = new Dictionary<string, TemplateValue>(StringComparer.Ordinal)
        {
            ["customer.id"] = TemplateValue.Text(c.Id.ToString()),
            ["customer.email"] = TemplateValue.Text(c.Email),
            ["customer.credit"] = TemplateValue.Number(c.Credit),
            ["account.eshopId"] = TemplateValue.Text(c.EshopId),
            ["event.id"] = TemplateValue.Text(eventId.ToString()),
            ["event.type"] = TemplateValue.Text(Name),
            ["event.occurredAt"] = TemplateValue.Text(
                at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
        };
        AddRef(values, "customer.group", c.Group);
        AddRef(values, "customer.tier", c.Tier);
        return values;
    }

    /// <summary>A named reference's <c>.id</c> and <c>.name</c> under <paramref name="prefix"/>, if there is one.</summary>
    public static void AddRef(Dictionary<string, TemplateValue> values, string prefix, NamedRef? value)
    {
        if (value is null) return;
        values[prefix + ".id"] = TemplateValue.Text(value.Id);
        values[prefix + ".name"] = TemplateValue.Text(value.Name);
    }
}

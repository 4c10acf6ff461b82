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

public sealed record Trigger(string Name, string Description, IReadOnlyList<Variable> Variables)
{
    public bool Carries(string variable) => Variables.Any(v => v.Name == variable);

    public IReadOnlyDictionary<string, TemplateValue> SampleValues { get; } =
        Variables.ToDictionary(v => v.Name, v => v.SampleValue);

    /// <summary>The sample values with the real e-shop id: what a preview shows and a test delivery sends.</summary>
    public Dictionary<string, TemplateValue> SampleValuesFor(string eshopId) =>
        new(SampleValues) { ["account.eshopId"] = TemplateValue.Text(eshopId) };
}

/// <summary>
/// Every trigger a webhook can listen to. Adding a trigger means: a definition here, an arm in <see cref="For"/> and
/// <see cref="ValuesFor"/>, and a one-line fallback handler in Dispatching/DispatchCustomerEvents.cs.
/// </summary>
public static class TriggerCatalog
{
    private static readonly Variable[] Common =
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

    public static readonly Trigger CustomerRegistered = new(
        "customer.registered", "A new customer registered in the e-shop.",
        [.. Common.Select(v => v.Name == "event.type" ? v with { Sample = "customer.registered" } : v)]);

    public static readonly Trigger CreditChanged = new(
        "customer.credit.changed", "A customer's credit balance (konto) changed.",
        [
            .. Common,
            new("creditChange.value", "Amount of the change (negative when credit was spent)", "-20.5", VariableType.Number),
            new("creditChange.reason", "Reason given for the change", "Objednávka 2026-0142", VariableType.Text),
        ]);

    public static readonly Trigger TierChanged = new(
        "customer.tier.changed", "A customer moved to another VIP tier.",
        [
            .. Common.Select(v => v.Name == "event.type" ? v with { Sample = "customer.tier.changed" } : v),
            new("tierChange.previous.id", "Id of the previous VIP tier (empty if none)", "silver", VariableType.Text),
            new("tierChange.previous.name", "Name of the previous VIP tier (empty if none)", "Stříbrná", VariableType.Text),
        ]);

    public static IReadOnlyList<Trigger> All { get; } = [CreditChanged, TierChanged, CustomerRegistered];

    /// <summary>Every variable name any trigger knows.</summary>
    public static IReadOnlySet<string> KnownVariables { get; } =
        All.SelectMany(t => t.Variables).Select(v => v.Name).ToHashSet(StringComparer.Ordinal);

    public static Trigger? Find(string? name) => All.FirstOrDefault(t => t.Name == name);

    /// <summary>The trigger an integration event fires, if any.</summary>
    public static Trigger? For(ICustomerIntegrationEvent e) => e switch
    {
        CustomerRegisteredIntegrationEvent => CustomerRegistered,
        CustomerCreditChangedIntegrationEvent => CreditChanged,
        CustomerTierChangedIntegrationEvent => TierChanged,
        _ => null,
    };

    /// <summary>The values of every variable the event's trigger carries (see <see cref="For"/>).</summary>
    public static Dictionary<string, TemplateValue> ValuesFor(ICustomerIntegrationEvent e) => e switch
    {
        CustomerCreditChangedIntegrationEvent credit => ValuesOf(credit),
        CustomerTierChangedIntegrationEvent tier => ValuesOf(tier),
        _ => ValuesOf(e, For(e) ?? throw new ArgumentException($"No trigger fires on {e.GetType().Name}.", nameof(e))),
    };

    public static Dictionary<string, TemplateValue> ValuesOf(ICustomerIntegrationEvent e, Trigger trigger)
    {
        var c = e.Customer;
        var values = new Dictionary<string, TemplateValue>(StringComparer.Ordinal)
        {
            ["customer.id"] = TemplateValue.Text(c.Id.ToString()),
            ["customer.email"] = TemplateValue.Text(c.Email),
            ["customer.credit"] = TemplateValue.Number(c.Credit),
            ["account.eshopId"] = TemplateValue.Text(c.EshopId),
            ["event.id"] = TemplateValue.Text(e.EventId.ToString()),
            ["event.type"] = TemplateValue.Text(trigger.Name),
            ["event.occurredAt"] = TemplateValue.Text(
                e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
        };
        if (c.Group is { } group)
        {
            values["customer.group.id"] = TemplateValue.Text(group.Id);
            values["customer.group.name"] = TemplateValue.Text(group.Name);
        }
        if (c.Tier is { } tier)
        {
            values["customer.tier.id"] = TemplateValue.Text(tier.Id);
            values["customer.tier.name"] = TemplateValue.Text(tier.Name);
        }
        return values;
    }

    public static Dictionary<string, TemplateValue> ValuesOf(CustomerCreditChangedIntegrationEvent e)
    {
        var values = ValuesOf(e, CreditChanged);
        values["creditChange.value"] = TemplateValue.Number(e.Value);
        if (e.Reason is not null) values["creditChange.reason"] = TemplateValue.Text(e.Reason);
        return values;
    }

    public static Dictionary<string, TemplateValue> ValuesOf(CustomerTierChangedIntegrationEvent e)
    {
        var values = ValuesOf(e, TierChanged);
        if (e.PreviousTier is { } previous)
        {
            values["tierChange.previous.id"] = TemplateValue.Text(previous.Id);
            values["tierChange.previous.name"] = TemplateValue.Text(previous.Name);
        }
        return values;
    }

    /// <summary>The known variable closest to a mistyped one, if any is close enough to be a likely typo.</summary>
    public static string? Suggest(string unknown)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var known in KnownVariables)
        {
            var distance = Distance(unknown.ToLowerInvariant(), known.ToLowerInvariant());
            if (distance < bestDistance) (best, bestDistance) = (known, distance);
        }
        return bestDistance <= Math.Max(2, unknown.Length / 3) ? best : null;
    }

    // Levenshtein distance; names are short, so the quadratic table is cheap.
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}

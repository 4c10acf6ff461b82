using Ellity.Customers.Contracts;
using Ellity.Webhooks.Templating;

namespace Ellity.Webhooks.Triggers;

/// <summary>
/// Every trigger a webhook can listen to: the built-in ones below, then any a module or a test registers with
/// <see cref="WebhooksModule.AddWebhookTrigger"/>. Validation, the catalog endpoint, previews, test sends and dispatch all
/// read it, so a trigger on an existing customer event is its entry and nothing else.
/// </summary>
public sealed class TriggerCatalog
{
    public static readonly Trigger CreditChanged = Trigger.On<CustomerCreditChangedIntegrationEvent>(
        "customer.credit.changed", "A customer's credit balance (konto) changed.",
        [
            new("creditChange.value", "Amount of the change (negative when credit was spent)", "-20.5", VariableType.Number),
            new("creditChange.reason", "Reason given for the change", "Objednávka 2026-0142", VariableType.Text),
        ],
        (e, values) =>
        {
            values["creditChange.value"] = TemplateValue.Number(e.Value);
            if (e.Reason is not null) values["creditChange.reason"] = TemplateValue.Text(e.Reason);
        });

    public static readonly Trigger TierChanged = Trigger.On<CustomerTierChangedIntegrationEvent>(
        "customer.tier.changed", "A customer moved to another VIP tier.",
        [
            new("tierChange.previous.id", "Id of the previous VIP tier (empty if none)", "silver", VariableType.Text),
            new("tierChange.previous.name", "Name of the previous VIP tier (empty if none)", "Stříbrná", VariableType.Text),
        ],
        (e, values) => Trigger.AddRef(values, "tierChange.previous", e.PreviousTier));

    public static readonly Trigger CustomerRegistered = Trigger.On<CustomerRegisteredIntegrationEvent>(
        "customer.registered", "A new customer registered in the e-shop.");

    public static IReadOnlyList<Trigger> BuiltIn { get; } = [CreditChanged, TierChanged, CustomerRegistered];

    public TriggerCatalog(IEnumerable<Trigger> triggers)
    {
        All = [.. triggers];
        var twice = All.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new InvalidOperationException($"Trigger '{twice.Key}' is registered twice.");
        KnownVariables = All.SelectMany(t => t.Variables).Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        _types = All.SelectMany(t => t.Variables).DistinctBy(v => v.Name).ToDictionary(v => v.Name, v => v.Type, StringComparer.Ordinal);
    }

    private readonly Dictionary<string, VariableType> _types;

    /// <summary>The type of a known variable, the same in every trigger that carries it.</summary>
    public VariableType? TypeOf(string variable) => _types.TryGetValue(variable, out var type) ? type : null;

    public IReadOnlyList<Trigger> All { get; }

    /// <summary>Every variable name any trigger knows.</summary>
    public IReadOnlySet<string> KnownVariables { get; }

    public Trigger? Find(string? name) => All.FirstOrDefault(t => t.Name == name);

    /// <summary>The triggers an integration event fires, in the catalog's order.</summary>
    public IEnumerable<Trigger> For(ICustomerIntegrationEvent e) => All.Where(t => t.FiresOn(e));

    /// <summary>The known variable closest to a mistyped one, if any is close enough to be a likely typo.</summary>
    public string? Suggest(string unknown)
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

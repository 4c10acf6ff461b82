using BenchmarkDotNet.Attributes;
using Ellity.Webhooks.Conditions;
using Ellity.Webhooks.Templating;
using Ellity.Webhooks.Triggers;

namespace Ellity.Bench.Templates;

/// <summary>
/// What a webhook's conditions cost at dispatch, per event and webhook: checked on the values the event's trigger already
/// filled for the templates, with the credit-change trigger's sample values.
/// </summary>
[MemoryDiagnoser]
public class ConditionBenchmarks
{
    private static readonly IReadOnlyDictionary<string, TemplateValue> Values = TriggerCatalog.CreditChanged.SampleValues;

    private static readonly Condition[] OneNumber = [new("creditChange.value", ">=", "100")];

    private static readonly Condition[] ThreeMixed =
    [
        new("customer.tier.id", "=", "gold"), new("customer.email", "contains", "@example.cz"), new("creditChange.value", "<", "0"),
    ];

    [Benchmark]
    public Condition? OneNumberCondition() => Condition.FirstUnmet(OneNumber, Values);

    [Benchmark]
    public Condition? ThreeConditionsThatHold() => Condition.FirstUnmet(ThreeMixed, Values);
}

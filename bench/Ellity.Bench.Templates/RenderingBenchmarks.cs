using BenchmarkDotNet.Attributes;
using Ellity.Webhooks.Templating;
using Ellity.Webhooks.Triggers;

namespace Ellity.Bench.Templates;

/// <summary>
/// The seed's example body and URL rendered through the real templates, with the credit-change trigger's
/// sample values (what the preview shows a shop owner).
/// </summary>
[MemoryDiagnoser]
public class RenderingBenchmarks
{
    /// <summary>The example body of the product brief, verbatim.</summary>
    public const string SeedBody =
        """
        { "eshop":"#account.eshopId#", "email":"#customer.email#", "credit":"#customer.credit#",
          "custom": { "field":"custom_value" } }
        """;

    /// <summary>The first example URL of the product brief, verbatim.</summary>
    public const string SeedUrl = "https://other_party_domain/path?id=#customer.id#&email=#customer.email#";

    private static readonly IReadOnlyDictionary<string, TemplateValue> Values = TriggerCatalog.CreditChanged.SampleValues;

    private static readonly BodyTemplate Body = BodyTemplate.TryParse(SeedBody, out var body, out _) ? body
        : throw new InvalidOperationException("The seed's body does not parse.");

    private static readonly UrlTemplate Url = UrlTemplate.Parse(SeedUrl);

    [Benchmark]
    public string RenderSeedBody() => Body.Render(Values);

    [Benchmark]
    public string RenderSeedUrl() => Url.Render(Values);

    /// <summary>What a benchmark renders, to compare its allocations with the size of the output.</summary>
    public static string Output(string benchmark) => benchmark switch
    {
        nameof(RenderSeedBody) => Body.Render(Values),
        nameof(RenderSeedUrl) => Url.Render(Values),
        _ => throw new ArgumentOutOfRangeException(nameof(benchmark)),
    };
}

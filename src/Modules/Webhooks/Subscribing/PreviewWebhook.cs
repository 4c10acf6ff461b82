using Ellity.Webhooks.Conditions;
using Ellity.Webhooks.Dispatching;
using Ellity.Webhooks.Triggers;
using Microsoft.Extensions.Options;

namespace Ellity.Webhooks.Subscribing;

public sealed record PreviewInput(string? Trigger, string? Url, string? Body, IReadOnlyList<ConditionInput?>? Conditions = null);

/// <summary>A condition checked against the trigger's sample: the sample's value (empty when it lacks one) and whether it holds.</summary>
public sealed record PreviewCondition(string Variable, string Operator, string? Value, string Sample, bool Holds);

/// <summary><see cref="Sent"/>: whether the trigger's sample meets every condition, so that such an event would be sent.</summary>
public sealed record PreviewResponse(
    string Method, string Url, IReadOnlyDictionary<string, string> Headers, string? Body,
    IReadOnlyList<VariableWarning> Warnings, bool Sent, IReadOnlyList<PreviewCondition> Conditions);

/// <summary>Renders the exact request a webhook would send, filled with the trigger's sample data, and checks its conditions on it.</summary>
public static class PreviewWebhookEndpoint
{
    [WolverinePost("/api/eshops/{eshopId}/webhooks/preview"), Tags("Webhooks"), EnableRateLimiting(WebhookRateLimits.Writes)]
    public static Results<Ok<PreviewResponse>, ValidationProblem> Post(string eshopId, PreviewInput? input, IOptions<WebhooksOptions> options,
        TriggerCatalog triggers)
    {
        input ??= new PreviewInput(null, null, null);
        var definition = WebhookDefinition.Check(triggers, null, input.Trigger, input.Url, input.Body, nameRequired: false,
            requireHttps: options.Value.RequireHttps);
        definition.CheckConditions(input.Conditions);
        if (!definition.IsValid) return definition.ToProblem();

        var samples = definition.Trigger!.SampleValuesFor(eshopId);
        var (request, notSent, part) = RequestRenderer.Render(definition.UrlTemplate!, definition.BodyTemplate, samples,
            options.Value.RenderLimits);
        if (notSent is not null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [part!] = [notSent] });
        var conditions = (definition.Conditions ?? []).Select(c => new PreviewCondition(c.Variable, c.Operator, c.Value,
            samples.TryGetValue(c.Variable, out var sample) ? sample.AsText : "", c.Holds(samples))).ToList();
        return TypedResults.Ok(new PreviewResponse(request.Method, request.Url, request.Headers, request.Body, definition.Warnings,
            conditions.All(c => c.Holds), conditions));
    }
}

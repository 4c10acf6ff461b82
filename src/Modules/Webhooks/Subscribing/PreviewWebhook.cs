using Ellity.Webhooks.Dispatching;
using Ellity.Webhooks.Triggers;
using Microsoft.Extensions.Options;

namespace Ellity.Webhooks.Subscribing;

public sealed record PreviewInput(string? Trigger, string? Url, string? Body);

public sealed record PreviewResponse(
    string Method, string Url, IReadOnlyDictionary<string, string> Headers, string? Body,
    IReadOnlyList<VariableWarning> Warnings);

/// <summary>Renders the exact request a webhook would send, filled with the trigger's sample data.</summary>
public static class PreviewWebhookEndpoint
{
    [WolverinePost("/api/eshops/{eshopId}/webhooks/preview"), Tags("Webhooks"), EnableRateLimiting(WebhookRateLimits.Writes)]
    public static Results<Ok<PreviewResponse>, ValidationProblem> Post(string eshopId, PreviewInput? input, IOptions<WebhooksOptions> options,
        TriggerCatalog triggers)
    {
        input ??= new PreviewInput(null, null, null);
        var definition = WebhookDefinition.Check(triggers, null, input.Trigger, input.Url, input.Body, nameRequired: false,
            requireHttps: options.Value.RequireHttps);
        if (!definition.IsValid) return definition.ToProblem();

        var (request, notSent, part) = RequestRenderer.Render(definition.UrlTemplate!, definition.BodyTemplate,
            definition.Trigger!.SampleValuesFor(eshopId), options.Value.RenderLimits);
        if (notSent is not null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [part!] = [notSent] });
        return TypedResults.Ok(new PreviewResponse(request.Method, request.Url, request.Headers, request.Body, definition.Warnings));
    }
}

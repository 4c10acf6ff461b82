using Ellity.Webhooks.Triggers;

namespace Ellity.Webhooks.Subscribing;

public static class GetWebhookEndpoint
{
    /// <summary>The webhook now, or as it was at <c>asOf</c> (a version of its stream or a time), folded from its events.</summary>
    [WolverineGet("/api/eshops/{eshopId}/webhooks/{webhookId}"), Tags("Webhooks")]
    public static async Task<Results<Ok<WebhookResponse>, ValidationProblem, ProblemHttpResult>> Get(
        string eshopId, Guid webhookId, string? asOf, IQuerySession session, TriggerCatalog triggers, AutoDisablePolicy policy,
        CancellationToken ct)
    {
        if (!AsOf.TryParse(asOf, out var point))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["asOf"] = [AsOf.Rule] });
        if (point is null)
            return await WebhookLookup.Load(session, eshopId, webhookId, ct) is { } webhook
                ? TypedResults.Ok(WebhookResponse.From(webhook, triggers, await session.LoadAsync<WebhookHealth>(webhookId, ct), policy))
                : WebhookLookup.NotFound(webhookId);

        // A past state is shown even for a webhook deleted since; health is a present-day reading, so it is left out.
        if (await WebhookLookup.LoadForAudit(session, eshopId, webhookId, ct) is null) return WebhookLookup.NotFound(webhookId);
        return await point.AggregateAsync<Webhook>(session, webhookId, ct) is { } past
            ? TypedResults.Ok(WebhookResponse.From(past, triggers))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Webhook not found",
                detail: $"Webhook {webhookId} did not exist yet at {asOf}.");
    }
}

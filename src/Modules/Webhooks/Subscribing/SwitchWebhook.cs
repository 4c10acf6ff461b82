using Ellity.Webhooks.Triggers;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Http;

namespace Ellity.Webhooks.Subscribing;

/// <summary>Enabling and disabling: each idempotent, each an event in the webhook's stream.</summary>
public static class SwitchWebhookEndpoint
{
    public static IReadOnlyList<object> Enable(Webhook w, DateTimeOffset now) => w.Enabled ? [] : [new WebhookEnabled(w.Id, now)];

    public static IReadOnlyList<object> Disable(Webhook w, DateTimeOffset now) => w.Enabled ? [new WebhookDisabled(now)] : [];

    [WolverinePost("/api/eshops/{eshopId}/webhooks/{webhookId}/enable"), Tags("Webhooks"), EnableRateLimiting(WebhookRateLimits.Writes)]
    public static Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> PostEnable(
        string eshopId, Guid webhookId, IDocumentSession session, TriggerCatalog triggers, CancellationToken ct) =>
        Switch(eshopId, webhookId, session, triggers, Enable, ct);

    [WolverinePost("/api/eshops/{eshopId}/webhooks/{webhookId}/disable"), Tags("Webhooks"), EnableRateLimiting(WebhookRateLimits.Writes)]
    public static Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> PostDisable(
        string eshopId, Guid webhookId, IDocumentSession session, TriggerCatalog triggers, CancellationToken ct) =>
        Switch(eshopId, webhookId, session, triggers, Disable, ct);

    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> Switch(
        string eshopId, Guid webhookId, IDocumentSession session, TriggerCatalog triggers,
        Func<Webhook, DateTimeOffset, IReadOnlyList<object>> decide, CancellationToken ct)
    {
        var stream = await WebhookLookup.FetchForWriting(session, eshopId, webhookId, ct);
        if (stream is null) return WebhookLookup.NotFound(webhookId);

        var webhook = stream.Aggregate!;
        foreach (var e in decide(webhook, DateTimeOffset.UtcNow))
        {
            stream.AppendOne(e);
            webhook = webhook.After(e);
        }
        return TypedResults.Ok(WebhookResponse.From(webhook, triggers, await session.LoadAsync<WebhookHealth>(webhookId, ct)));
    }
}

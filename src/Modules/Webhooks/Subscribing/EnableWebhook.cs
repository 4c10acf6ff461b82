namespace Ellity.Webhooks.Subscribing;

/// <summary>Switches a webhook on: events from now on are delivered. Enabling an enabled one changes nothing.</summary>
public static class EnableWebhookEndpoint
{
    public static ProblemDetails Validate(Webhook? webhook, string eshopId, Guid webhookId) =>
        WebhookLookup.Found(webhook, eshopId, webhookId);

    public static Events Decide(Webhook webhook, DateTimeOffset now) => webhook.Enabled ? [] : [new WebhookEnabled(webhook.Id, now)];

    [WolverinePost("/api/eshops/{eshopId}/webhooks/{webhookId}/enable"), Tags("Webhooks"), EnableRateLimiting(WebhookRateLimits.Writes)]
    public static (UpdatedWebhook, Events) Post([WriteAggregate(Required = false)] Webhook? webhook) =>
        (new UpdatedWebhook(), Decide(webhook!, DateTimeOffset.UtcNow));
}

namespace Ellity.Webhooks.Subscribing;

/// <summary>Switches a webhook off until it is enabled again: events meanwhile are not delivered, due retries end failed. Disabling a disabled one changes nothing.</summary>
public static class DisableWebhookEndpoint
{
    public static ProblemDetails Validate(Webhook? webhook, string eshopId, Guid webhookId) =>
        WebhookLookup.Found(webhook, eshopId, webhookId);

    public static Events Decide(Webhook webhook, DateTimeOffset now) => webhook.Enabled ? [new WebhookDisabled(now)] : [];

    [WolverinePost("/api/eshops/{eshopId}/webhooks/{webhookId}/disable"), Tags("Webhooks"), EnableRateLimiting(WebhookRateLimits.Writes)]
    public static (UpdatedWebhook, Events) Post([WriteAggregate(Required = false)] Webhook? webhook) =>
        (new UpdatedWebhook(), Decide(webhook!, DateTimeOffset.UtcNow));
}

namespace Ellity.Webhooks.Subscribing;

/// <summary>
/// Deleting a webhook is an event in its stream: its due attempts are no longer sent (their deliveries fail, saying
/// why), and its history stays readable.
/// </summary>
public static class DeleteWebhookEndpoint
{
    public static ProblemDetails Validate(Webhook? webhook, string eshopId, Guid webhookId) =>
        WebhookLookup.Found(webhook, eshopId, webhookId);

    [WolverineDelete("/api/eshops/{eshopId}/webhooks/{webhookId}"), Tags("Webhooks"), EnableRateLimiting(WebhookRateLimits.Writes)]
    [EmptyResponse]
    public static WebhookDeleted Delete([WriteAggregate(Required = false)] Webhook? webhook) => new(DateTimeOffset.UtcNow);
}

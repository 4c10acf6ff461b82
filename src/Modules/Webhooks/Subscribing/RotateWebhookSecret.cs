namespace Ellity.Webhooks.Subscribing;

/// <summary>
/// A new signing secret, shown once here; the previous one keeps signing beside it for
/// <see cref="WebhookSecrets.PreviousSecretLifetime"/>, so receivers can switch over.
/// </summary>
public static class RotateWebhookSecretEndpoint
{
    public static ProblemDetails Validate(Webhook? webhook, string eshopId, Guid webhookId) =>
        WebhookLookup.Found(webhook, eshopId, webhookId);

    [WolverinePost("/api/eshops/{eshopId}/webhooks/{webhookId}/secret/rotate"), Tags("Webhooks"), EnableRateLimiting(WebhookRateLimits.Writes)]
    public static (SecretResponse, Events) Post([WriteAggregate(Required = false)] Webhook? webhook, WebhookSecretProtector protector)
    {
        var secret = WebhookSecrets.New();
        var rotated = protector.Rotate(webhook!, secret, DateTimeOffset.UtcNow);
        return (new SecretResponse(secret, rotated.PreviousSecret is null ? null : rotated.PreviousExpiresAt), [rotated]);
    }
}

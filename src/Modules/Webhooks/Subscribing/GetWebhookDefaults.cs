using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Ellity.Webhooks.Subscribing;

/// <param name="RetrySchedule">Seconds between attempts for a webhook without its own schedule.</param>
/// <param name="ContentRetentionDays">How long a delivery keeps its content: nothing older can be sent again.</param>
public sealed record WebhookDefaultsResponse(IReadOnlyList<int> RetrySchedule, double AttemptTimeoutSeconds, int MaxConcurrentPerWebhook,
    double ContentRetentionDays);

public static class GetWebhookDefaultsEndpoint
{
    /// <summary>
    /// What a webhook gets unless it sets its own, as this installation is configured: the admin page
    /// shows it, so an operator's changed retry schedule is never described by a stale text.
    /// </summary>
    [WolverineGet("/api/webhooks/defaults"), Tags("Webhooks"), AllowAnonymous]
    public static WebhookDefaultsResponse Get(IOptions<WebhooksOptions> options) => new(
        options.Value.EffectiveRetrySchedule, options.Value.AttemptTimeout.TotalSeconds, options.Value.MaxConcurrentPerWebhook,
        options.Value.ContentRetention.TotalDays);
}

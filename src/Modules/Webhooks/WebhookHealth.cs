using Marten.Events.Projections;

namespace Ellity.Webhooks;

/// <summary>
/// Whether a webhook's receiver is working, folded from its delivery attempts: how long and how
/// often it has been failing. Enabling the webhook again starts afresh.
/// </summary>
public sealed class WebhookHealth
{
    public Guid Id { get; set; }
    public DateTimeOffset? FailingSince { get; set; }
    public int ConsecutiveFailures { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public DateTimeOffset? LastSuccessAt { get; set; }
    public DateTimeOffset? LastFailureAt { get; set; }
}

/// <summary>Runs asynchronously so concurrent attempts of one webhook are counted one after another.</summary>
public sealed partial class WebhookHealthProjection : MultiStreamProjection<WebhookHealth, Guid>
{
    public WebhookHealthProjection()
    {
        Identity<DeliveryAttempted>(e => e.WebhookId);
        Identity<WebhookEnabled>(e => e.WebhookId);
    }

    public void Apply(WebhookHealth health, DeliveryAttempted e)
    {
        health.Id = e.WebhookId;
        health.LastAttemptAt = e.StartedAt;
        if (e.Succeeded)
        {
            health.LastSuccessAt = e.StartedAt;
            health.FailingSince = null;
            health.ConsecutiveFailures = 0;
            return;
        }
        health.LastFailureAt = e.StartedAt;
        health.LastError = e.Error;
        health.FailingSince ??= e.StartedAt;
        health.ConsecutiveFailures++;
    }

    public void Apply(WebhookHealth health, WebhookEnabled e)
    {
        health.Id = e.WebhookId;
        health.FailingSince = null;
        health.ConsecutiveFailures = 0;
    }
}

using Microsoft.Extensions.Options;

namespace Ellity.Webhooks.Alerting;

/// <summary>A success ended a run of failures: the owner told it failed hears it works again (<see cref="RaiseAlerts.OnRecovered"/>).</summary>
public static class WebhookRecoveredHandler
{
    public static Task<WebhookHealth?> LoadAsync(WebhookRecovered message, IDocumentSession session, CancellationToken ct) =>
        session.LoadAsync<WebhookHealth>(message.WebhookId, ct);

    public static async Task<(Events, OutgoingMessages)> Handle(WebhookRecovered message,
        [WriteAggregate(Required = false)] Webhook? webhook, WebhookHealth? health, IDocumentSession session,
        IOptions<NotificationsOptions> options, CancellationToken ct)
    {
        if (webhook?.AlertedFailingSince is null) return ([], []);
        var settings = await AlertSettings.LoadAsync(session, webhook.EshopId, ct);
        var alerts = RaiseAlerts.OnRecovered(webhook, health, settings, DateTimeOffset.UtcNow, options.Value);
        return ([.. alerts], [.. alerts.Select(a => RaiseAlerts.Message(webhook.EshopId, webhook.Id, a))]);
    }
}

using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ellity.Webhooks.Alerting;

/// <summary>An alert could not reach a channel (SMTP refused or unreachable, the operational webhook failed): tried again later.</summary>
public sealed class AlertNotSentException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Puts an alert into words for each channel, from the webhook as it is now, in the e-shop's language, and logs it. Each
/// channel is its own message, retried on its own, so an SMTP outage does not send the operational webhook twice.
/// </summary>
public static partial class SendAlertHandler
{
    public static async Task<OutgoingMessages> Handle(SendAlert alert, IQuerySession session, IOptions<WebhooksOptions> webhooks,
        IOptions<NotificationsOptions> notifications, ILogger<SendAlert> logger, CancellationToken ct)
    {
        var messages = new OutgoingMessages();
        var webhook = await session.LoadAsync<Webhook>(alert.WebhookId, ct);
        if (webhook is null) return messages;
        var health = await session.LoadAsync<WebhookHealth>(alert.WebhookId, ct);
        var settings = await AlertSettings.LoadAsync(session, alert.EshopId, ct);
        var facts = Facts(alert, webhook, health, webhooks.Value, notifications.Value);
        LogAlert(logger, alert.Alert, webhook.Id, alert.EshopId, webhook.Name, facts.LastError, string.Join(",", alert.Channels));

        if (alert.Channels.Contains(AlertChannels.Email) && settings.Emails.Count > 0 && notifications.Value.CanEmail)
        {
            var content = AlertTexts.Email(facts, settings.Language, settings.ZoneOrUtc());
            messages.Add(new EmailAlert(alert.AlertId, settings.Emails, content.Subject, content.Text, content.Html));
        }
        if (alert.Channels.Contains(AlertChannels.Webhook) && settings.WebhookUrl is not null)
            messages.Add(new PostAlert(alert.AlertId, alert.EshopId, alert.At, Payload(alert, facts, settings.Language)));
        return messages;
    }

    public static AlertFacts Facts(SendAlert alert, Webhook webhook, WebhookHealth? health, WebhooksOptions webhooks,
        NotificationsOptions notifications)
    {
        var log = notifications.AdminPageUrl is { Length: > 0 } admin
            ? $"{admin.TrimEnd('/')}#/webhooks/{webhook.Id}/deliveries"
            : null;
        var failing = alert.Alert != Alerts.Recovered;
        return new AlertFacts(alert.Alert, webhook.Name, WithoutQuery(webhook.Url), alert.At, alert.FailingSince ?? health?.FailingSince,
            health?.ConsecutiveFailures ?? 0, failing ? health?.LastError : null, failing ? health?.LastFailureKind : null, alert.Reason,
            alert is { Alert: Alerts.WillBeDisabled, FailingSince: { } since }
                ? Delivering.DisableFailingWebhookHandler.DisablesAt(since, webhooks.AutoDisableAfter, alert.At, notifications.WarnBeforeDisable)
                : null,
            log);
    }

    /// <summary>
    /// A key is often in the URL's query (<c>?token=...</c>); an e-mail goes through more hands than the admin page, so the
    /// query is left out.
    /// </summary>
    public static string WithoutQuery(string url) => url.IndexOf('?') is var at and >= 0 ? url[..at] + "?…" : url;

    /// <summary>Standard Webhooks' shape: <c>type</c>, <c>timestamp</c> and the alert's <c>data</c>.</summary>
    public static string Payload(SendAlert alert, AlertFacts facts, string language) => JsonSerializer.Serialize(new
    {
        type = "webhook." + alert.Alert,
        timestamp = alert.At,
        data = new
        {
            alertId = alert.AlertId,
            eshopId = alert.EshopId,
            webhook = new { id = alert.WebhookId, name = facts.WebhookName, url = facts.WebhookUrl },
            failingSince = facts.FailingSince,
            consecutiveFailures = facts.ConsecutiveFailures,
            lastError = facts.LastError,
            failureKind = facts.FailureKind,
            explanation = facts.FailureKind is null ? null : FailureKinds.Explain(facts.FailureKind, language),
            reason = facts.Reason,
            disablesAt = facts.DisablesAt,
            deliveryLogUrl = facts.DeliveryLogUrl,
        },
    }, JsonSerializerOptions.Web);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Alert} for webhook {WebhookId} of e-shop {EshopId} ({WebhookName}): last error {LastError}; sent to [{Channels}]")]
    private static partial void LogAlert(ILogger logger, string alert, Guid webhookId, string eshopId, string webhookName, string? lastError,
        string channels);
}

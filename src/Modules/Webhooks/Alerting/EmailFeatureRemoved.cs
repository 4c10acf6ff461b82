using Microsoft.Extensions.Options;

namespace Ellity.Webhooks.Alerting;

/// <summary>
/// Removing the Webhooks feature switched these webhooks off: one e-mail lists them all (see
/// <see cref="RaiseAlerts.FeatureRemovedMessages"/>). <see cref="AlertId"/> makes its Message-Id, the same on every try.
/// </summary>
public sealed record EmailFeatureRemoved(Guid AlertId, string EshopId, IReadOnlyList<Guid> WebhookIds, DateTimeOffset At);

public static class EmailFeatureRemovedHandler
{
    public static async Task<OutgoingMessages> Handle(EmailFeatureRemoved command, IQuerySession session,
        IOptions<NotificationsOptions> notifications, CancellationToken ct)
    {
        var settings = await AlertSettings.LoadAsync(session, command.EshopId, ct);
        if (settings.Emails.Count == 0 || !notifications.Value.CanEmail) return [];
        var webhooks = await session.LoadManyAsync<Webhook>(ct, command.WebhookIds);
        var content = AlertTexts.FeatureRemovedEmail(
            [.. webhooks.OrderBy(w => w.Name, StringComparer.CurrentCulture).Select(w => (w.Name, SendAlertHandler.WithoutQuery(w.Url)))],
            command.At, settings.Language, settings.ZoneOrUtc(), notifications.Value.AdminPageUrl);
        return [new EmailAlert(command.AlertId, settings.Emails, content.Subject, content.Text, content.Html)];
    }
}

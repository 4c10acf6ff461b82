using Microsoft.Extensions.Options;

namespace Ellity.Webhooks.Delivering;

/// <summary>
/// Switches a webhook off when its receiver says it is gone (410) or its attempts have failed for longer than
/// <see cref="WebhooksOptions.AutoDisableAfter"/>, in reaction to <see cref="WebhookFailing"/>, apart from the attempts.
/// The latter only once the owner has had the warning for <see cref="NotificationsOptions.WarnBeforeDisable"/>: a signal that
/// comes late (no attempt in the warning's day, a health catching up) warns first and leaves the switch-off to a later one.
/// A webhook already off stays as it is, so a repeated signal records nothing; so does one switched on again after the
/// failures the signal (or a health not yet caught up with the switch) is about.
/// </summary>
public static class DisableFailingWebhookHandler
{
    public const string Gone = "The receiver answered 410 Gone: the webhook was disabled.";

    public static Events Decide(Webhook webhook, WebhookHealth? health, DateTimeOffset now, TimeSpan allowed, TimeSpan warnBefore)
    {
        if (!webhook.Enabled || webhook.Deleted || health?.FailingSince is not { } since) return [];
        if (health.LastFailureAt < webhook.ActiveSince) return [];
        if (health.LastFailureStatusCode == 410) return [new WebhookAutoDisabled(webhook.Id, now, Gone, AutoDisableCauses.ReceiverGone, since)];
        return SwitchOffAt(webhook, since, allowed, warnBefore) <= now
            ? [new WebhookAutoDisabled(webhook.Id, now,
                $"Every attempt failed since {since:u} (last error: {health.LastError}); disabled after {allowed.TotalHours:0.#} h without a success.",
                AutoDisableCauses.FailedTooLong, since)]
            : [];
    }

    /// <summary>
    /// When a webhook failing since <paramref name="since"/> may be switched off for it: once it has failed for
    /// <paramref name="allowed"/> and its owner was warned <paramref name="warnBefore"/> before; null until they are warned.
    /// </summary>
    public static DateTimeOffset? SwitchOffAt(Webhook webhook, DateTimeOffset since, TimeSpan allowed, TimeSpan warnBefore) =>
        RaiseAlerts.Told(webhook.WarnedFailingSince, since)
            // A warning recorded before its time was kept was sent in the day before, when signals came only then.
            ? DisablesAt(since, allowed, webhook.WarnedAt ?? since + allowed - warnBefore, warnBefore)
            : null;

    /// <summary>
    /// When a webhook that keeps failing will be switched off: the time its warning announced, or, before the warning, the
    /// earliest one a warning still to come allows. Null for a webhook that is off, not failing, or failing only from before
    /// it was switched on again.
    /// </summary>
    public static DateTimeOffset? ExpectedSwitchOff(Webhook webhook, WebhookHealth? health, DateTimeOffset now, TimeSpan allowed,
        TimeSpan warnBefore)
    {
        if (webhook.FailingRun(health) is not { } since) return null;
        var warning = since + allowed - warnBefore;
        return SwitchOffAt(webhook, since, allowed, warnBefore) ?? DisablesAt(since, allowed, warning > now ? warning : now, warnBefore);
    }

    /// <summary>The switch-off a warning given at <paramref name="warnedAt"/> announces.</summary>
    public static DateTimeOffset DisablesAt(DateTimeOffset since, TimeSpan allowed, DateTimeOffset warnedAt, TimeSpan warnBefore) =>
        since + allowed > warnedAt + warnBefore ? since + allowed : warnedAt + warnBefore;

    public static Task<WebhookHealth?> LoadAsync(WebhookFailing message, IDocumentSession session, CancellationToken ct) =>
        session.LoadAsync<WebhookHealth>(message.WebhookId, ct);

    /// <summary>The same signal tells the owner (<see cref="RaiseAlerts.OnFailing"/>), in the same transaction as what it decided.</summary>
    public static async Task<(Events, OutgoingMessages)> Handle(WebhookFailing message, [WriteAggregate(Required = false)] Webhook? webhook,
        WebhookHealth? health, IDocumentSession session, IOptions<WebhooksOptions> options, IOptions<NotificationsOptions> notifications,
        CancellationToken ct)
    {
        if (webhook is null) return ([], []);
        var now = DateTimeOffset.UtcNow;
        var events = Decide(webhook, health, now, options.Value.AutoDisableAfter, notifications.Value.WarnBeforeDisable);
        if (!webhook.Enabled || webhook.Deleted) return (events, []);
        var settings = await AlertSettings.LoadAsync(session, webhook.EshopId, ct);
        var alerts = RaiseAlerts.OnFailing(webhook, health, events, settings, now, options.Value.AutoDisableAfter, notifications.Value);
        events.AddRange(alerts);
        return (events, [.. alerts.Select(a => RaiseAlerts.Message(webhook.EshopId, webhook.Id, a))]);
    }
}

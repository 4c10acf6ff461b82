namespace Ellity.Webhooks;

/// <summary>
/// Sends one alert to the e-shop's channels (see <c>Alerting/SendAlert</c>); raised with the
/// <see cref="WebhookAlerted"/> that records it, so it goes out exactly when that is committed.
/// </summary>
public sealed record SendAlert(Guid AlertId, string EshopId, Guid WebhookId, string Alert, DateTimeOffset At,
    DateTimeOffset? FailingSince, string? Reason, IReadOnlyList<string> Channels);

/// <summary>
/// Which alerts a webhook's state calls for: pure decisions over the webhook (which alerts it has had), its health and the
/// e-shop's settings. Each transition is told once: a run of failures is reported failing once and warned about once;
/// "works again" follows only a "failing" the owner got; a webhook that keeps recovering and failing again is reported
/// failing at most once per <see cref="NotificationsOptions.RepeatFailingAfter"/>.
/// </summary>
public static class RaiseAlerts
{
    /// <summary>After a signal that the webhook's attempts fail, and what that signal decided (a switch-off, perhaps).</summary>
    public static IReadOnlyList<WebhookAlerted> OnFailing(Webhook webhook, WebhookHealth? health, IReadOnlyList<object> decided,
        AlertSettings settings, DateTimeOffset now, TimeSpan autoDisableAfter, NotificationsOptions options)
    {
        if (decided.OfType<WebhookAutoDisabled>().FirstOrDefault() is { } disabled)
            return [Alert(Alerts.Disabled, now, health?.FailingSince, disabled.Reason, settings, options)];
        if (health is null || webhook.FailingRun(health) is not { } since) return [];
        var failing = health.ConsecutiveFailures >= settings.FailingAfterAttempts
            || now - since >= TimeSpan.FromMinutes(settings.FailingAfterMinutes);
        var quiet = webhook.LastFailingAlertAt is { } last && now - last < options.RepeatFailingAfter;
        // The warning says it fails too: when both are due, the owner gets the warning alone. One due late still comes, and
        // the switch-off waits for it (DisableFailingWebhookHandler.SwitchOffAt).
        if (!Told(webhook.WarnedFailingSince, since) && now >= since + autoDisableAfter - options.WarnBeforeDisable)
            return [Alert(Alerts.WillBeDisabled, now, since, null, settings, options)];
        if (failing && !Told(webhook.AlertedFailingSince, since) && !quiet)
            return [Alert(Alerts.Failing, now, since, null, settings, options)];
        return [];
    }

    /// <summary>
    /// Whether the owner was told about the run of failures that began at <paramref name="since"/>. A later run always begins
    /// after the one told of; the same run may be found to have begun a moment earlier than it was told with (an attempt
    /// committed late, see <see cref="WebhookHealthProjection"/>), which is still the run told of.
    /// </summary>
    public static bool Told(DateTimeOffset? told, DateTimeOffset since) => told >= since;

    /// <summary>After a success ended a run of failures: "works again", if the owner was told it failed.</summary>
    public static IReadOnlyList<WebhookAlerted> OnRecovered(Webhook webhook, WebhookHealth? health, AlertSettings settings,
        DateTimeOffset now, NotificationsOptions options) =>
        webhook is { Deleted: false, AlertedFailingSince: { } since } && health is { FailingSince: null }
            ? [Alert(Alerts.Recovered, now, since, null, settings, options)]
            : [];

    /// <summary>The e-shop removed the Webhooks feature: each webhook that was sending is switched off.</summary>
    public static WebhookAlerted OnFeatureRemoved(AlertSettings settings, DateTimeOffset now, NotificationsOptions options) =>
        Alert(Alerts.Disabled, now, null, WebhooksFeature.Removed, settings, options);

    /// <summary>
    /// What tells the owner that removing the feature switched these webhooks off: each alert as usual, but with several
    /// webhooks the e-mail goes once, listing them all, instead of once a webhook.
    /// </summary>
    public static IReadOnlyList<object> FeatureRemovedMessages(string eshopId, IReadOnlyList<(Guid Webhook, WebhookAlerted Alert)> alerts)
    {
        if (alerts.Count < 2) return [.. alerts.Select(a => Message(eshopId, a.Webhook, a.Alert))];
        var messages = new List<object>(alerts.Select(a =>
            Message(eshopId, a.Webhook, a.Alert) with { Channels = [.. a.Alert.Channels.Where(c => c != AlertChannels.Email)] }));
        if (alerts[0].Alert.Channels.Contains(AlertChannels.Email))
            messages.Add(new Alerting.EmailFeatureRemoved(alerts[0].Alert.AlertId, eshopId, [.. alerts.Select(a => a.Webhook)], alerts[0].Alert.At));
        return messages;
    }

    public static SendAlert Message(string eshopId, Guid webhookId, WebhookAlerted alert) =>
        new(alert.AlertId, eshopId, webhookId, alert.Alert, alert.At, alert.FailingSince, alert.Reason, alert.Channels);

    private static WebhookAlerted Alert(string alert, DateTimeOffset now, DateTimeOffset? since, string? reason,
        AlertSettings settings, NotificationsOptions options) =>
        new(Guid.CreateVersion7(now), alert, now, since, reason, settings.ChannelsFor(alert, options.CanEmail));
}

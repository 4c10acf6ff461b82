using Ellity.Webhooks;
using Ellity.Webhooks.Alerting;
using Ellity.Webhooks.Delivering;

namespace Ellity.Tests.Webhooks.Alerting;

/// <summary>Which alerts a webhook's state calls for, without a database: each transition once, never once per attempt.</summary>
public sealed class AlertRulesTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan AutoDisableAfter = TimeSpan.FromDays(5);
    private static readonly NotificationsOptions Options = new() { Smtp = { Host = "smtp.example.cz" } };

    private static readonly AlertSettings Settings = AlertSettings.Default("shop") with
    {
        Emails = ["owner@example.cz"], WebhookUrl = "https://ops.example.cz/alerts", WebhookSecret = "whsec_x",
    };

    private static Webhook NewWebhook() => Webhook.Create(new WebhookCreated(
        Guid.CreateVersion7(), "shop", "ERP", "customer.credit.changed", "https://erp.example.cz/", null, true, Start - TimeSpan.FromDays(30)));

    /// <summary>The health after <paramref name="failures"/> failed attempts in a row, the first at <paramref name="since"/>.</summary>
    private static WebhookHealth Failing(DateTimeOffset since, int failures, DateTimeOffset last) => new()
    {
        FailingSince = since, ConsecutiveFailures = failures, LastFailureAt = last, LastError = "The receiver answered 401 Unauthorized.",
        LastFailureKind = FailureKinds.CredentialsRefused, LastFailureStatusCode = 401,
    };

    private static readonly WebhookHealth Working = new() { LastSuccessAt = Start };

    /// <summary>One signal: what it raises, and the webhook with that and what it decided recorded.</summary>
    private static (IReadOnlyList<WebhookAlerted> Alerts, Webhook Webhook) Signal(Webhook webhook, WebhookHealth health, DateTimeOffset now,
        AlertSettings? settings = null)
    {
        var decided = DisableFailingWebhookHandler.Decide(webhook, health, now, AutoDisableAfter, Options.WarnBeforeDisable);
        var alerts = RaiseAlerts.OnFailing(webhook, health, decided, settings ?? Settings, now, AutoDisableAfter, Options);
        var recorded = decided.OfType<WebhookAutoDisabled>().Aggregate(webhook, (w, e) => w.Apply(e));
        return (alerts, alerts.Aggregate(recorded, (w, a) => w.Apply(a)));
    }

    private static (IReadOnlyList<WebhookAlerted> Alerts, Webhook Webhook) Recovery(Webhook webhook, DateTimeOffset now)
    {
        var alerts = RaiseAlerts.OnRecovered(webhook, Working, Settings, now, Options);
        return (alerts, alerts.Aggregate(webhook, (w, a) => w.Apply(a)));
    }

    [Fact]
    public void a_webhook_is_reported_failing_once_at_the_fifth_failure_in_a_row_not_before_and_not_again()
    {
        var webhook = NewWebhook();
        for (var failures = 1; failures <= 4; failures++)
        {
            (var alerts, webhook) = Signal(webhook, Failing(Start, failures, Start.AddMinutes(failures)), Start.AddMinutes(failures));
            Assert.Empty(alerts);
        }

        (var fifth, webhook) = Signal(webhook, Failing(Start, 5, Start.AddMinutes(5)), Start.AddMinutes(5));
        var alert = Assert.Single(fifth);
        Assert.Equal(Alerts.Failing, alert.Alert);
        Assert.Equal(Start, alert.FailingSince);
        Assert.Equal([AlertChannels.Email, AlertChannels.Webhook], alert.Channels);
        for (var failures = 6; failures <= 20; failures++)
            Assert.Empty(Signal(webhook, Failing(Start, failures, Start.AddMinutes(failures)), Start.AddMinutes(failures)).Alerts);
    }

    [Fact]
    public void one_failure_an_hour_old_is_reported_failing_and_the_thresholds_are_the_shops_own()
    {
        Assert.Empty(Signal(NewWebhook(), Failing(Start, 1, Start), Start.AddMinutes(59)).Alerts);
        Assert.Equal(Alerts.Failing, Assert.Single(Signal(NewWebhook(), Failing(Start, 2, Start.AddMinutes(60)), Start.AddMinutes(60)).Alerts).Alert);

        var patient = Settings with { FailingAfterAttempts = 20, FailingAfterMinutes = 240 };
        Assert.Empty(Signal(NewWebhook(), Failing(Start, 19, Start.AddMinutes(200)), Start.AddMinutes(200), patient).Alerts);
        var eager = Settings with { FailingAfterAttempts = 1 };
        Assert.Single(Signal(NewWebhook(), Failing(Start, 1, Start), Start, eager).Alerts);
    }

    [Fact]
    public void a_failing_webhook_is_warned_once_a_day_before_it_is_switched_off_and_then_told_it_was()
    {
        // A webhook first seen failing when the warning is due gets the warning alone, which says it fails.
        var late = Assert.Single(Signal(NewWebhook(), Failing(Start, 5, Start.AddDays(4)), Start.AddDays(4)).Alerts);
        Assert.Equal(Alerts.WillBeDisabled, late.Alert);
        Assert.Equal(Alerts.Recovered, Assert.Single(Recovery(NewWebhook().Apply(late), Start.AddDays(4.1)).Alerts).Alert);

        var (_, webhook) = Signal(NewWebhook(), Failing(Start, 5, Start), Start);
        Assert.Empty(Signal(webhook, Failing(Start, 30, Start.AddDays(4).AddMinutes(-1)), Start.AddDays(4).AddMinutes(-1)).Alerts);

        (var warned, webhook) = Signal(webhook, Failing(Start, 31, Start.AddDays(4)), Start.AddDays(4));
        Assert.Equal(Alerts.WillBeDisabled, Assert.Single(warned).Alert);
        Assert.Empty(Signal(webhook, Failing(Start, 32, Start.AddDays(4.5)), Start.AddDays(4.5)).Alerts);

        var (disabled, _) = Signal(webhook, Failing(Start, 33, Start.AddDays(5)), Start.AddDays(5));
        var alert = Assert.Single(disabled);
        Assert.Equal(Alerts.Disabled, alert.Alert);
        Assert.Contains("disabled after 120 h", alert.Reason);
    }

    [Fact]
    public void a_webhook_first_seen_failing_after_its_time_is_warned_and_switched_off_only_a_day_later()
    {
        // No signal in the warning's day: the receiver's retries had ended, say, and the next event fails on day six.
        var (first, webhook) = Signal(NewWebhook(), Failing(Start, 5, Start.AddDays(6)), Start.AddDays(6));
        Assert.Equal(Alerts.WillBeDisabled, Assert.Single(first).Alert);
        Assert.True(webhook.Enabled);
        Assert.Equal(Start.AddDays(7), DisableFailingWebhookHandler.SwitchOffAt(webhook, Start, AutoDisableAfter, Options.WarnBeforeDisable));

        Assert.Empty(Signal(webhook, Failing(Start, 6, Start.AddDays(6.5)), Start.AddDays(6.5)).Alerts);
        var (disabled, off) = Signal(webhook, Failing(Start, 7, Start.AddDays(7)), Start.AddDays(7));
        Assert.Equal(Alerts.Disabled, Assert.Single(disabled).Alert);
        Assert.False(off.Enabled);
    }

    [Fact]
    public void a_receiver_answering_410_is_told_switched_off_and_nothing_else()
    {
        var gone = Failing(Start, 1, Start);
        gone.LastFailureStatusCode = 410;
        gone.LastFailureKind = FailureKinds.Gone;

        var alert = Assert.Single(Signal(NewWebhook(), gone, Start).Alerts);

        Assert.Equal(Alerts.Disabled, alert.Alert);
        Assert.Equal(DisableFailingWebhookHandler.Gone, alert.Reason);
    }

    [Fact]
    public void works_again_follows_only_a_failing_alert_the_owner_got()
    {
        var webhook = NewWebhook();
        Assert.Empty(Recovery(webhook, Start).Alerts);
        Assert.Empty(Recovery(Signal(webhook, Failing(Start, 3, Start), Start).Webhook, Start.AddMinutes(1)).Alerts);

        (_, webhook) = Signal(webhook, Failing(Start, 5, Start), Start);
        (var recovered, webhook) = Recovery(webhook, Start.AddMinutes(10));
        var alert = Assert.Single(recovered);
        Assert.Equal(Alerts.Recovered, alert.Alert);
        Assert.Equal(Start, alert.FailingSince);
        Assert.Empty(Recovery(webhook, Start.AddMinutes(11)).Alerts);
    }

    [Fact]
    public void a_flapping_webhook_gets_failing_and_works_again_at_most_once_a_day()
    {
        var webhook = NewWebhook();
        var sent = new List<WebhookAlerted>();
        // Five failures, then a success, every ten minutes for two days.
        for (var run = 0; run < 2 * 24 * 6; run++)
        {
            var since = Start.AddMinutes(10 * run);
            for (var failures = 1; failures <= 5; failures++)
            {
                (var alerts, webhook) = Signal(webhook, Failing(since, failures, since.AddSeconds(failures)), since.AddSeconds(failures));
                sent.AddRange(alerts);
            }
            (var recovered, webhook) = Recovery(webhook, since.AddMinutes(5));
            sent.AddRange(recovered);
        }

        Assert.Equal([Alerts.Failing, Alerts.Recovered, Alerts.Failing, Alerts.Recovered], sent.Select(a => a.Alert));
        Assert.True(sent[2].At - sent[0].At >= Options.RepeatFailingAfter);
    }

    [Fact]
    public void a_webhook_switched_off_by_the_owner_or_failing_from_before_it_was_switched_on_raises_nothing()
    {
        var off = NewWebhook().Apply(new WebhookDisabled(Start));
        Assert.Empty(Signal(off, Failing(Start, 10, Start.AddHours(2)), Start.AddHours(2)).Alerts);

        var again = NewWebhook().Apply(new WebhookEnabled(Guid.Empty, Start.AddHours(3)));
        Assert.Empty(Signal(again, Failing(Start, 10, Start.AddHours(2)), Start.AddHours(3)).Alerts);
    }

    [Fact]
    public void an_alert_goes_only_to_the_channels_that_want_it_and_to_no_e_mail_without_smtp()
    {
        var webhookOnly = Settings with { EmailAlerts = [Alerts.Disabled] };
        Assert.Equal([AlertChannels.Webhook], webhookOnly.ChannelsFor(Alerts.Failing, canEmail: true));
        Assert.Equal([AlertChannels.Email, AlertChannels.Webhook], webhookOnly.ChannelsFor(Alerts.Disabled, canEmail: true));
        Assert.Equal([AlertChannels.Webhook], Settings.ChannelsFor(Alerts.Failing, canEmail: false));
        Assert.Empty(AlertSettings.Default("shop").ChannelsFor(Alerts.Failing, canEmail: true));
    }

    /// <summary>
    /// One delivery failed and gave up; no attempt follows. The sweep looks every minute for six days: what it finds due, the
    /// signal it sends decides, nothing is due twice, and the switch-off is left to an attempt.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void a_webhook_with_no_more_attempts_is_still_told_it_fails_and_warned_once_and_is_not_switched_off_by_the_clock(int failures)
    {
        var webhook = NewWebhook();
        var health = Failing(Start, failures, Start);
        var decisions = new List<(DateTimeOffset At, string What)>();
        for (var now = Start; now <= Start.AddDays(6); now = now.AddMinutes(1))
        {
            if (!(FailingWebhookSweeper.AlertDue(webhook, health, Settings, AutoDisableAfter, Options) <= now)) continue;
            var decided = DisableFailingWebhookHandler.Decide(webhook, health, now, AutoDisableAfter, Options.WarnBeforeDisable);
            (var alerts, webhook) = Signal(webhook, health, now);
            Assert.Empty(decided);
            Assert.NotEmpty(alerts);
            decisions.AddRange(alerts.Select(a => (now, a.Alert)));
        }

        // Five failures would have been told by the attempt's own signal already; one is told after the shop's hour. Both are
        // warned a day before the five days are up.
        var at = failures >= Settings.FailingAfterAttempts ? Start : Start.AddMinutes(Settings.FailingAfterMinutes);
        Assert.Equal([(at, Alerts.Failing), (Start.AddDays(4), Alerts.WillBeDisabled)], decisions);
        Assert.True(webhook.Enabled);
    }

    [Fact]
    public void the_sweep_leaves_a_webhook_that_works_is_off_was_told_or_would_be_warned_first()
    {
        static DateTimeOffset? Due(Webhook webhook, WebhookHealth health, AlertSettings? settings = null) =>
            FailingWebhookSweeper.FailingAlertDue(webhook, health, settings ?? Settings, AutoDisableAfter, Options);

        Assert.Null(Due(NewWebhook(), Working));
        Assert.Null(Due(NewWebhook().Apply(new WebhookDisabled(Start)), Failing(Start, 1, Start)));
        Assert.Null(Due(NewWebhook().Apply(new WebhookAlerted(Guid.NewGuid(), Alerts.WillBeDisabled, Start, Start, null, [])), Failing(Start, 1, Start)));
        // An hour the shop set longer than the time to the warning: the warning tells it.
        Assert.Null(Due(NewWebhook(), Failing(Start, 1, Start), Settings with { FailingAfterMinutes = 5 * 24 * 60 }));
        // Told failing and working again since: a new run is not told before the day has passed.
        var flapped = NewWebhook().Apply(new WebhookAlerted(Guid.NewGuid(), Alerts.Failing, Start, Start, null, []))
            .Apply(new WebhookAlerted(Guid.NewGuid(), Alerts.Recovered, Start.AddMinutes(5), Start, null, []));
        Assert.Equal(Start + Options.RepeatFailingAfter, Due(flapped, Failing(Start.AddMinutes(10), 1, Start.AddMinutes(10))));
    }

    [Fact]
    public void a_run_found_to_have_begun_a_moment_earlier_than_it_was_told_with_is_not_told_again()
    {
        (var first, var webhook) = Signal(NewWebhook(), Failing(Start, 5, Start), Start);
        Assert.Equal(Alerts.Failing, Assert.Single(first).Alert);
        // An attempt that started 30 ms before the run is committed after the alert: the same run, and past the day's quiet.
        var earlier = Failing(Start.AddMilliseconds(-30), 30, Start.AddHours(25));
        Assert.Empty(Signal(webhook, earlier, Start.AddHours(25)).Alerts);
        Assert.Null(FailingWebhookSweeper.FailingAlertDue(webhook, earlier, Settings, AutoDisableAfter, Options));
        // A later run is one of its own.
        Assert.Single(Signal(webhook, Failing(Start.AddHours(26), 5, Start.AddHours(26)), Start.AddHours(26)).Alerts);
    }
}

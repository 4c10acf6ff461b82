using Ellity.Customers.Contracts;
using Ellity.Eshops.Contracts;
using Ellity.Webhooks;
using Ellity.Webhooks.Delivering;
using Ellity.Webhooks.Dispatching;
using Ellity.Webhooks.Subscribing;
using Ellity.Webhooks.Triggers;

namespace Ellity.Tests.Webhooks;

/// <summary>The pure rules of the Webhooks module, without a database.</summary>
public sealed class WebhookRulesTests
{
    private static readonly TriggerCatalog Catalog = new(TriggerCatalog.BuiltIn);

    private static readonly DateTimeOffset Now = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    private static Webhook NewWebhook(bool enabled = true) => Webhook.Create(new WebhookCreated(
        Guid.CreateVersion7(), "shop", "ERP", "customer.credit.changed", "https://erp.example.cz/", null, enabled, Now));

    [Theory]
    [InlineData("customer.emial", "customer.email")]
    [InlineData("Customer.Credit", "customer.credit")]
    [InlineData("creditchange.valeu", "creditChange.value")]
    [InlineData("account.eshopid", "account.eshopId")]
    public void a_mistyped_variable_gets_the_closest_known_name(string typed, string suggestion)
    {
        Assert.Equal(suggestion, Catalog.Suggest(typed));
    }

    [Fact]
    public void a_name_far_from_every_variable_gets_no_suggestion()
    {
        Assert.Null(Catalog.Suggest("warehouse.stock.level.total"));
    }

    [Fact]
    public void every_trigger_carries_the_common_variables_and_valid_samples()
    {
        foreach (var trigger in Catalog.All)
        {
            foreach (var name in new[] { "customer.id", "customer.email", "customer.credit", "account.eshopId", "event.id", "event.type", "event.occurredAt" })
                Assert.True(trigger.Carries(name), $"{trigger.Name} lacks {name}");
            Assert.Equal(trigger.Variables.Count, trigger.SampleValues.Count);
            Assert.Equal(trigger.Name, trigger.SampleValues["event.type"].AsText);
        }
    }

    [Fact]
    public void credit_change_values_are_the_customer_right_after_the_event()
    {
        var e = new CustomerCreditChangedIntegrationEvent(Guid.NewGuid(), Now,
            new CustomerSnapshot(Guid.NewGuid(), "shop", "a@b.cz", 79.5m, null, new NamedRef("gold", "Gold")), -20.5m, null);

        var values = TriggerCatalog.CreditChanged.ValuesFor(e);

        Assert.Equal("79.5", values["customer.credit"].AsText);
        Assert.True(values["customer.credit"].IsNumber);
        Assert.Equal("-20.5", values["creditChange.value"].AsText);
        Assert.Equal("gold", values["customer.tier.id"].AsText);
        Assert.Equal("2026-11-27T10:00:00.000Z", values["event.occurredAt"].AsText);
        Assert.False(values.ContainsKey("customer.group.id"));
        Assert.False(values.ContainsKey("creditChange.reason"));
    }

    [Fact]
    public void update_emits_only_the_changes()
    {
        var webhook = NewWebhook();

        var events = UpdateWebhookEndpoint.Decide(webhook,
            new WebhookInput(" ERP ", "customer.credit.changed", "https://erp.example.cz/v2", "{}", null), null, Now);

        Assert.Collection(events,
            e => Assert.Equal(new WebhookUrlChanged("https://erp.example.cz/v2"), e),
            e => Assert.Equal(new WebhookBodyChanged("{}"), e));
    }

    [Fact]
    public void update_without_changes_emits_nothing()
    {
        var webhook = NewWebhook();

        Assert.Empty(UpdateWebhookEndpoint.Decide(webhook,
            new WebhookInput("ERP", "customer.credit.changed", "https://erp.example.cz/", "  ", true), null, Now));
    }

    [Fact]
    public void enabling_an_enabled_webhook_or_disabling_a_disabled_one_emits_nothing()
    {
        Assert.Empty(EnableWebhookEndpoint.Decide(NewWebhook(enabled: true), Now));
        Assert.Empty(DisableWebhookEndpoint.Decide(NewWebhook(enabled: false), Now));
        Assert.Single(EnableWebhookEndpoint.Decide(NewWebhook(enabled: false), Now));
    }

    [Fact]
    public void webhook_accepts_only_events_from_when_it_was_last_enabled()
    {
        var webhook = NewWebhook(enabled: false).Apply(new WebhookEnabled(Guid.Empty, Now.AddMinutes(5)));

        Assert.False(webhook.Accepts(Now.AddMinutes(4)));
        Assert.True(webhook.Accepts(Now.AddMinutes(5)));
        Assert.False(webhook.Apply(new WebhookDisabled(Now.AddMinutes(6))).Accepts(Now.AddMinutes(7)));
        Assert.False(webhook.Apply(new WebhookDeleted(Now.AddMinutes(6))).Accepts(Now.AddMinutes(7)));
    }

    [Fact]
    public void delivery_id_is_stable_per_webhook_and_event_and_differs_otherwise()
    {
        var (webhook, other, e) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        Assert.Equal(DeliveryIds.For(webhook, e), DeliveryIds.For(webhook, e));
        Assert.NotEqual(DeliveryIds.For(webhook, e), DeliveryIds.For(other, e));
        Assert.NotEqual(DeliveryIds.For(webhook, e), DeliveryIds.For(webhook, Guid.NewGuid()));
        Assert.Equal(8, DeliveryIds.For(webhook, e).Version);
    }

    [Theory]
    [InlineData(200, true)]
    [InlineData(204, true)]
    [InlineData(301, false)]
    [InlineData(404, false)]
    [InlineData(500, false)]
    public void only_a_2xx_succeeds(int status, bool succeeded)
    {
        var attempt = new DeliveryAttempted(1, Now, 12, status, null, null, false);

        var outcome = AttemptDeliveryHandler.Decide(NewDelivery([]), attempt, Now, [], 0, 0.5);

        Assert.Equal(attempt, outcome.Events[0]);
        Assert.Equal(succeeded ? typeof(DeliverySucceeded) : typeof(DeliveryFailed), outcome.Events[1].GetType());
        Assert.Null(outcome.RetryAt);
    }

    [Fact]
    public void an_attempt_skipped_by_an_open_circuit_waits_longer_each_time_and_never_past_the_schedules_span()
    {
        var delivery = NewDelivery([60, 600]);

        var first = AttemptDeliveryHandler.Defer(delivery, 1, Now.AddSeconds(1), TimeSpan.FromSeconds(30), 0)!;
        var second = AttemptDeliveryHandler.Defer(delivery.Apply(first), 1, Now.AddSeconds(31), TimeSpan.FromSeconds(30), 0)!;
        var late = AttemptDeliveryHandler.Defer(delivery, 1, Now.AddSeconds(500), TimeSpan.FromSeconds(3000), 0)!;

        Assert.Equal(Now.AddSeconds(31), first.RetryAt);
        Assert.Equal(Now.AddSeconds(91), second.RetryAt);
        Assert.Equal(1, second.Attempt);
        Assert.Equal(Now.AddSeconds(500 + 660), late.RetryAt);
        Assert.Null(AttemptDeliveryHandler.Defer(delivery, 1, Now.AddSeconds(660), TimeSpan.FromSeconds(30), 0));
        Assert.Null(AttemptDeliveryHandler.Defer(NewDelivery([]), 1, Now, TimeSpan.FromSeconds(30), 0));
    }

    private static EshopFeatures Features(params (string Feature, DateTimeOffset Since)[] added) =>
        new() { Id = EshopFeatures.IdFor("shop"), EshopId = "shop", Added = added.ToDictionary(x => x.Feature, x => x.Since) };

    [Fact]
    public void a_webhook_suspended_by_the_removal_of_the_webhooks_feature_sends_nothing_not_even_a_manual_redelivery()
    {
        var delivery = NewDelivery([5]);
        var suspended = NewWebhook().Apply(new WebhookSuspended(Now, WebhooksFeature.Removed));

        Assert.Equal(WebhooksFeature.Removed, AttemptDeliveryHandler.NotSent(delivery, suspended));
        Assert.Equal(WebhooksFeature.Removed, AttemptDeliveryHandler.NotSent(delivery with { NextAttemptManual = true, Test = true }, suspended));
        Assert.False(suspended.Accepts(Now.AddMinutes(1)));
        Assert.Null(AttemptDeliveryHandler.NotSent(delivery, NewWebhook()));
    }

    [Fact]
    public void a_resumed_webhook_sends_only_what_happens_after_the_feature_was_added_again()
    {
        var resumed = NewWebhook().Apply(new WebhookSuspended(Now, WebhooksFeature.Removed)).Apply(new WebhookResumed(Now.AddMinutes(10)));

        Assert.False(resumed.Accepts(Now.AddMinutes(5)));
        Assert.True(resumed.Accepts(Now.AddMinutes(10)));
        // Dispatch checks the e-shop's features too: an event of the gap is not sent even before its webhook is resumed.
        var addedAgain = Features((EshopFeature.Webhooks, Now.AddMinutes(10)));
        Assert.False(WebhooksFeature.Allows(addedAgain, Now.AddMinutes(5)));
        Assert.True(WebhooksFeature.Allows(addedAgain, Now.AddMinutes(10)));
        Assert.False(WebhooksFeature.Allows(Features(), Now));
        // An e-shop registered before features existed has no document, and every feature.
        Assert.True(WebhooksFeature.Allows(null, Now));
    }

    [Fact]
    public void an_attempt_that_finds_no_free_slot_waits_longer_each_time_up_to_a_few_seconds()
    {
        var waits = Enumerable.Range(0, 8).Select(n => AttemptDeliveryHandler.PostponedFor(n, 0)).ToList();

        Assert.Equal(TimeSpan.FromMilliseconds(500), waits[0]);
        Assert.Equal(TimeSpan.FromSeconds(1), waits[1]);
        Assert.Equal(TimeSpan.FromSeconds(8), waits[4]);
        Assert.Equal(TimeSpan.FromSeconds(8), waits[7]);
        Assert.InRange(AttemptDeliveryHandler.PostponedFor(0, 1), TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(600));
    }

    private static Delivery NewDelivery(int[] schedule, int previousAttempts = 0)
    {
        var delivery = Delivery.Create(new DeliveryScheduled(Guid.NewGuid(), "shop", Guid.NewGuid(), "customer.credit.changed",
            Guid.NewGuid(), Now, new DeliveryRequest("GET", "https://x.example.cz/", new Dictionary<string, string>(), null), Now, schedule));
        for (var n = 1; n <= previousAttempts; n++)
            delivery = delivery.Apply(Failure(n)).Apply(new DeliveryRetryScheduled(n + 1, Now));
        return delivery;
    }

    private static DeliveryAttempted Failure(int number, int status = 500, int? retryAfter = null, bool manual = false) =>
        new(number, Now, 10, status, $"The receiver answered {status}.", null, false, Manual: manual, RetryAfterSeconds: retryAfter);

    [Fact]
    public void a_failed_attempt_schedules_the_next_one_after_the_schedules_delay()
    {
        var outcome = AttemptDeliveryHandler.Decide(NewDelivery([5, 300], previousAttempts: 1), Failure(2), Now, [5, 300], 0.1, 0.5);

        Assert.Equal(Now.AddSeconds(300), outcome.RetryAt);
        Assert.Equal(new DeliveryRetryScheduled(3, Now.AddSeconds(300)), outcome.Events[1]);
    }

    [Theory]
    [InlineData(0.0, 4.5)]
    [InlineData(1.0, 5.5)]
    public void retry_delays_are_spread_by_the_jitter(double random, double seconds)
    {
        var outcome = AttemptDeliveryHandler.Decide(NewDelivery([5]), Failure(1), Now, [5], 0.1, random);

        Assert.Equal(Now.AddSeconds(seconds), outcome.RetryAt);
    }

    [Fact]
    public void when_the_schedule_is_exhausted_the_delivery_fails()
    {
        var outcome = AttemptDeliveryHandler.Decide(NewDelivery([5, 300], previousAttempts: 2), Failure(3), Now, [5, 300], 0.1, 0.5);

        Assert.Null(outcome.RetryAt);
        var failed = Assert.IsType<DeliveryFailed>(outcome.Events[1]);
        Assert.StartsWith("Gave up after 3 attempts", failed.Reason);
    }

    [Theory]
    [InlineData(429, 60, 60)]
    [InlineData(503, 0, 0)]
    [InlineData(429, 301, 5)]
    [InlineData(500, 60, 5)]
    public void retry_after_is_honoured_when_it_asks_for_no_more_than_the_longest_delay(int status, int retryAfter, int expected)
    {
        var attempt = Failure(1, status) with { RetryAfterSeconds = status is 429 or 503 ? retryAfter : null };

        var outcome = AttemptDeliveryHandler.Decide(NewDelivery([5, 300]), attempt, Now, [5, 300], 0, 0.5);

        Assert.Equal(Now.AddSeconds(expected), outcome.RetryAt);
    }

    [Fact]
    public void gone_fails_the_delivery_at_once()
    {
        var outcome = AttemptDeliveryHandler.Decide(NewDelivery([5, 300]), Failure(1, 410), Now, [5, 300], 0.1, 0.5);

        Assert.Null(outcome.RetryAt);
        Assert.Contains("410", Assert.IsType<DeliveryFailed>(outcome.Events[1]).Reason);
    }

    [Fact]
    public void a_run_of_failures_begins_with_its_earliest_attempt_even_when_a_later_one_is_recorded_first()
    {
        // Two deliveries attempted side by side: the one that started second is committed first.
        var projection = new WebhookHealthProjection();
        var health = new WebhookHealth();
        projection.Apply(health, new DeliveryAttempted(1, Now, 12, 401, "HTTP 401", null, false));
        projection.Apply(health, new DeliveryAttempted(1, Now.AddMilliseconds(-40), 12, 401, "HTTP 401", null, false));

        Assert.Equal(Now.AddMilliseconds(-40), health.ProblemSince);
        Assert.Equal(Now.AddMilliseconds(-40), health.FailingSince);
        Assert.Equal(2, health.ConsecutiveFailures);
    }

    [Fact]
    public void an_attempt_recorded_after_a_later_one_of_the_other_outcome_does_not_turn_the_health_back()
    {
        var projection = new WebhookHealthProjection();
        // The receiver is back: its success is committed before an older failure.
        var working = new WebhookHealth();
        projection.Apply(working, new DeliveryAttempted(1, Now.AddSeconds(-10), 12, 503, "HTTP 503", null, false));
        projection.Apply(working, new DeliveryAttempted(1, Now, 12, 200, null, null, false));
        projection.Apply(working, new DeliveryAttempted(1, Now.AddMilliseconds(-30), 12, 503, "HTTP 503", null, false));
        Assert.Null(working.FailingSince);
        Assert.Equal(0, working.ConsecutiveFailures);
        Assert.Equal(Now, working.RecoveredAt);
        Assert.Equal(Now, working.LastAttemptAt);
        Assert.Equal(Now.AddMilliseconds(-30), working.LastFailureAt);

        // The receiver went down: its failure is committed before an older success.
        var failing = new WebhookHealth();
        projection.Apply(failing, new DeliveryAttempted(1, Now, 12, 503, "HTTP 503", null, false));
        projection.Apply(failing, new DeliveryAttempted(1, Now.AddMilliseconds(-30), 12, 200, null, null, false));
        Assert.Equal(Now, failing.FailingSince);
        Assert.Equal(1, failing.ConsecutiveFailures);
        Assert.Null(failing.RecoveredAt);
        Assert.Equal(Now.AddMilliseconds(-30), failing.LastSuccessAt);
        Assert.Equal(Now, failing.LastAttemptAt);
    }

    private static WebhookHealth Failing(TimeSpan since, int? status = 500) =>
        new() { FailingSince = Now - since, LastError = $"HTTP {status}", LastFailureStatusCode = status, ConsecutiveFailures = 3 };

    [Fact]
    public void a_webhook_whose_receiver_is_gone_is_switched_off_at_once()
    {
        var disabled = Assert.IsType<WebhookAutoDisabled>(Assert.Single(
            DisableFailingWebhookHandler.Decide(NewWebhook(), Failing(TimeSpan.Zero, 410), Now, TimeSpan.FromDays(5), WarnBefore)));

        Assert.Contains("410", disabled.Reason);
        Assert.Equal(AutoDisableCauses.ReceiverGone, disabled.Cause);
    }

    [Fact]
    public void a_switch_off_recorded_before_causes_were_is_told_apart_by_its_reason()
    {
        var id = Guid.NewGuid();

        Assert.Equal(AutoDisableCauses.ReceiverGone,
            AutoDisabling.Of(new WebhookAutoDisabled(id, Now, DisableFailingWebhookHandler.Gone)).Cause);
        Assert.Equal(AutoDisableCauses.FailedTooLong,
            AutoDisabling.Of(new WebhookAutoDisabled(id, Now, "Every attempt failed since 2026-11-28 10:00:00Z (last error: HTTP 500)")).Cause);
        var webhook = NewWebhook().Apply(new WebhookAutoDisabled(id, Now, DisableFailingWebhookHandler.Gone));
        Assert.Equal(new AutoDisabling(AutoDisableCauses.ReceiverGone, Now, null), webhook.AutoDisabled);
        Assert.Null(webhook.Apply(new WebhookEnabled(id, Now.AddMinutes(1))).AutoDisabled);
    }

    private static readonly TimeSpan WarnBefore = TimeSpan.FromDays(1);

    /// <summary>The webhook once its owner got the warning, at <paramref name="at"/>, that failing since <paramref name="since"/> switches it off.</summary>
    private static Webhook Warned(DateTimeOffset since, DateTimeOffset at) =>
        NewWebhook().Apply(new WebhookAlerted(Guid.NewGuid(), Alerts.WillBeDisabled, at, since, null, []));

    [Fact]
    public void a_webhook_failing_longer_than_allowed_is_switched_off_and_one_failing_less_long_is_not()
    {
        var allowed = TimeSpan.FromDays(5);
        var warned = Warned(Now - allowed, Now - WarnBefore);

        var disabled = Assert.IsType<WebhookAutoDisabled>(Assert.Single(
            DisableFailingWebhookHandler.Decide(warned, Failing(allowed), Now, allowed, WarnBefore)));
        Assert.StartsWith("Every attempt failed since", disabled.Reason);
        Assert.Equal(AutoDisableCauses.FailedTooLong, disabled.Cause);
        Assert.Equal(Now - allowed, disabled.FailingSince);
        var lessLong = Now - allowed + TimeSpan.FromMinutes(1);
        Assert.Empty(DisableFailingWebhookHandler.Decide(Warned(lessLong, Now - WarnBefore), Failing(allowed - TimeSpan.FromMinutes(1)), Now, allowed, WarnBefore));
    }

    [Fact]
    public void a_failing_webhook_shows_when_it_will_be_switched_off_and_one_off_or_working_does_not()
    {
        var allowed = TimeSpan.FromDays(5);
        DateTimeOffset? Expected(Webhook webhook, WebhookHealth? health, DateTimeOffset now) =>
            DisableFailingWebhookHandler.ExpectedSwitchOff(webhook, health, now, allowed, WarnBefore);

        // Failing for two days: five days after the first failure, when the warning a day before allows it.
        Assert.Equal(Now + TimeSpan.FromDays(3), Expected(NewWebhook(), Failing(TimeSpan.FromDays(2)), Now));
        // Past its time with no warning yet: a day after the warning that is still to come.
        Assert.Equal(Now + WarnBefore, Expected(NewWebhook(), Failing(TimeSpan.FromDays(7)), Now));
        // Warned: what the warning said.
        var since = Now - TimeSpan.FromDays(7);
        Assert.Equal(Now + TimeSpan.FromHours(23), Expected(Warned(since, Now - TimeSpan.FromHours(1)), Failing(TimeSpan.FromDays(7)), Now));

        Assert.Null(Expected(NewWebhook(), null, Now));
        Assert.Null(Expected(NewWebhook(), new WebhookHealth { LastSuccessAt = Now }, Now));
        Assert.Null(Expected(NewWebhook(enabled: false), Failing(TimeSpan.FromDays(2)), Now));
    }

    [Fact]
    public void a_webhook_is_not_switched_off_for_failing_before_its_owner_has_had_the_warning_for_a_day()
    {
        var allowed = TimeSpan.FromDays(5);

        Assert.Empty(DisableFailingWebhookHandler.Decide(NewWebhook(), Failing(allowed + TimeSpan.FromDays(3)), Now, allowed, WarnBefore));
        // Warned of an earlier run of failures, not this one.
        Assert.Empty(DisableFailingWebhookHandler.Decide(Warned(Now - allowed - TimeSpan.FromDays(9), Now - TimeSpan.FromDays(5)),
            Failing(allowed), Now, allowed, WarnBefore));
        // Warned late, an hour ago: the switch-off comes a day after the warning, not at once.
        var late = Warned(Now - allowed - TimeSpan.FromDays(3), Now - TimeSpan.FromHours(1));
        Assert.Empty(DisableFailingWebhookHandler.Decide(late, Failing(allowed + TimeSpan.FromDays(3)), Now, allowed, WarnBefore));
        Assert.Single(DisableFailingWebhookHandler.Decide(late, Failing(allowed + TimeSpan.FromDays(3)), Now + TimeSpan.FromHours(23), allowed, WarnBefore));
        Assert.Equal(Now + TimeSpan.FromHours(23), DisableFailingWebhookHandler.SwitchOffAt(late, Now - allowed - TimeSpan.FromDays(3), allowed, WarnBefore));
    }

    [Fact]
    public void a_webhook_already_off_or_working_again_is_left_as_it_is()
    {
        var allowed = TimeSpan.FromDays(5);

        Assert.Empty(DisableFailingWebhookHandler.Decide(NewWebhook(enabled: false), Failing(allowed, 410), Now, allowed, WarnBefore));
        Assert.Empty(DisableFailingWebhookHandler.Decide(NewWebhook(), new WebhookHealth { LastFailureStatusCode = 410 }, Now, allowed, WarnBefore));
    }

    [Fact]
    public void failures_from_before_the_webhook_was_switched_on_again_do_not_switch_it_off()
    {
        var allowed = TimeSpan.FromDays(5);
        var stale = Failing(allowed, 410);
        stale.LastFailureAt = Now.AddMinutes(-1);

        Assert.Empty(DisableFailingWebhookHandler.Decide(NewWebhook(), stale, Now, allowed, WarnBefore));
        stale.LastFailureAt = Now;
        Assert.Single(DisableFailingWebhookHandler.Decide(NewWebhook(), stale, Now, allowed, WarnBefore));
    }

    [Fact]
    public void a_failed_manual_attempt_is_not_retried()
    {
        var outcome = AttemptDeliveryHandler.Decide(NewDelivery([5, 300]), Failure(1, manual: true), Now, [5, 300], 0.1, 0.5);

        Assert.Null(outcome.RetryAt);
        Assert.StartsWith("Manual attempt failed", Assert.IsType<DeliveryFailed>(outcome.Events[1]).Reason);
    }

    [Theory]
    [InlineData("https://erp.example.cz/#customer.id#", true)]
    [InlineData("http://127.0.0.1:8000/?e=#customer.email#", true)]
    [InlineData("https://user:pw@erp.example.cz/", false)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData("https://#customer.email#/", false)]
    public void url_must_be_absolute_http_once_rendered(string url, bool valid)
    {
        var definition = WebhookDefinition.Check(Catalog, "X", "customer.credit.changed", url, null);

        Assert.Equal(valid, definition.IsValid);
    }

    [Fact]
    public void definition_limits_body_size()
    {
        var body = "{\"a\": \"" + new string('x', WebhookDefinition.MaxBodyLength) + "\"}";

        var definition = WebhookDefinition.Check(Catalog, "X", "customer.credit.changed", "https://x.example.cz/", body);

        Assert.Contains("body", definition.Errors.Keys);
    }
}

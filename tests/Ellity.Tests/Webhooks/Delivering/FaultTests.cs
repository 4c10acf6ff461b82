using Ellity.Tests.Infrastructure;
using Ellity.Webhooks;
using Ellity.Webhooks.Subscribing;
using Microsoft.AspNetCore.Http;

namespace Ellity.Tests.Webhooks.Delivering;

/// <summary>Receivers that fail in every way we know, each on its own port, and what the delivery stream records.</summary>
[Collection(FaultsCollection.Name)]
public sealed class FaultTests(FaultsFixture app)
{
    private static Task Answer(HttpContext context, int status, string body = "")
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsync(body);
    }

    private async Task<(string Eshop, Guid Webhook, Guid Customer)> WebhookTo(string url, int[] retrySchedule)
    {
        var eshop = await app.NewEshopAsync();
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", url, "{\"credit\": #customer.credit#}",
            retrySchedule: retrySchedule);
        var customer = await app.RegisterCustomerAsync(eshop);
        return (eshop, webhook, customer);
    }

    private async Task<DeliveryView> SingleFinishedDelivery(string eshop, Guid webhook) =>
        Assert.Single(await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 1))!.AsDelivery();

    [Fact]
    public async Task server_error_then_success_is_retried_with_the_same_delivery_id()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, i) => Answer(c, i == 0 ? 500 : 200));
        var (eshop, webhook, customer) = await WebhookTo(receiver.Url, [1]);

        await app.ChangeCreditAsync(eshop, customer, 1m);

        var delivery = await SingleFinishedDelivery(eshop, webhook);
        delivery.ShouldHaveSucceeded();
        var id = delivery.Id;
        Assert.Equal(["delivery_scheduled", "delivery_attempted", "delivery_retry_scheduled", "delivery_attempted", "delivery_succeeded"],
            await app.EventTypesAsync(id));
        Assert.Equal([500, 200], delivery.Attempts.Select(a => a.StatusCode));
        Assert.All(receiver.Requests, r => Assert.Equal(id.ToString(), r.Headers["webhook-id"]));
    }

    [Fact]
    public async Task timeout_is_a_failed_attempt_and_the_retry_succeeds()
    {
        await using var receiver = await ScriptedReceiver.StartAsync(async (c, i) =>
        {
            if (i == 0) await Task.Delay(TimeSpan.FromSeconds(5), c.RequestAborted).ContinueWith(_ => { });
            await Answer(c, 200);
        });
        var (eshop, webhook, customer) = await WebhookTo(receiver.Url, [1]);

        await app.ChangeCreditAsync(eshop, customer, 1m);

        var delivery = await SingleFinishedDelivery(eshop, webhook);
        delivery.ShouldHaveSucceeded();
        var first = delivery.Attempts[0];
        Assert.Null(first.StatusCode);
        Assert.StartsWith("Timed out after 2 s", first.Error);
    }

    [Fact]
    public async Task connection_refused_then_up_is_delivered_once_the_receiver_listens()
    {
        var receiver = new ScriptedReceiver((c, _) => Answer(c, 200));
        await using var _ = receiver;
        var (eshop, webhook, customer) = await WebhookTo(receiver.Url, [2, 2, 2]);

        await app.ChangeCreditAsync(eshop, customer, 1m);
        await app.WaitForDeliveriesAsync(eshop, webhook, d => d.Count == 1 && d[0]!.AsDelivery().Attempts.Count >= 1, "a first attempt");
        await receiver.StartAsync();

        var delivery = await SingleFinishedDelivery(eshop, webhook);
        delivery.ShouldHaveSucceeded();
        Assert.Equal("Connection refused.", delivery.Attempts[0].Error);
    }

    [Fact]
    public async Task connection_reset_mid_response_is_a_failed_attempt()
    {
        await using var receiver = await ScriptedReceiver.StartAsync(async (c, i) =>
        {
            if (i > 0)
            {
                await Answer(c, 200);
                return;
            }
            c.Response.StatusCode = 200;
            c.Response.ContentLength = 10_000;
            await c.Response.WriteAsync("partial");
            await c.Response.Body.FlushAsync();
            c.Abort();
        });
        var (eshop, webhook, customer) = await WebhookTo(receiver.Url, [1]);

        await app.ChangeCreditAsync(eshop, customer, 1m);

        var delivery = await SingleFinishedDelivery(eshop, webhook);
        delivery.ShouldHaveSucceeded();
        Assert.Equal(2, delivery.Attempts.Count);
        Assert.False(string.IsNullOrEmpty(delivery.Attempts[0].Error));
    }

    [Fact]
    public async Task too_many_requests_is_retried_when_retry_after_says_not_on_the_schedule()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, i) =>
        {
            if (i == 0) c.Response.Headers.RetryAfter = "1";
            return Answer(c, i == 0 ? 429 : 200);
        });
        var (eshop, webhook, customer) = await WebhookTo(receiver.Url, [120]);

        await app.ChangeCreditAsync(eshop, customer, 1m);

        var delivery = await SingleFinishedDelivery(eshop, webhook);
        delivery.ShouldHaveSucceeded();
        var attempts = delivery.Attempts;
        Assert.Equal(429, attempts[0].StatusCode);
        var gap = attempts[1].StartedAt - attempts[0].StartedAt;
        Assert.InRange(gap.TotalSeconds, 1, 30);
    }

    [Fact]
    public async Task gone_fails_the_delivery_and_disables_the_webhook_with_the_reason()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => Answer(c, 410));
        var (eshop, webhook, customer) = await WebhookTo(receiver.Url, [1, 1]);

        await app.ChangeCreditAsync(eshop, customer, 1m);

        var delivery = await SingleFinishedDelivery(eshop, webhook);
        delivery.ShouldHaveFailed("410 Gone");
        delivery.ShouldHaveAttempts(410);
        // Switched off by its own handler, once the webhook's health has taken the attempt in.
        var state = (await app.WaitForAsync($"/api/eshops/{eshop}/webhooks/{webhook}", w => !w.AsWebhook().Enabled, "auto-disable")).AsWebhook();
        Assert.Contains("410", state.DisabledReason);
        Assert.Equal("receiverGone", state.AutoDisabled?.Cause);
        Assert.Equal(state.Health.FailingSince, state.AutoDisabled!.FailingSince);
        Assert.Contains("webhook_auto_disabled", await app.EventTypesAsync(webhook));
    }

    [Fact]
    public async Task a_ten_megabyte_response_is_kept_to_a_few_kilobytes()
    {
        var big = new string('x', 10 * 1024 * 1024);
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => Answer(c, 200, big));
        var (eshop, webhook, customer) = await WebhookTo(receiver.Url, []);

        await app.ChangeCreditAsync(eshop, customer, 1m);

        var attempt = (await SingleFinishedDelivery(eshop, webhook)).Attempts[0];
        Assert.Equal(200, attempt.StatusCode);
        Assert.Equal(4096, attempt.ResponseBody!.Length);
        Assert.True(attempt.ResponseBodyTruncated);
    }

    [Fact]
    public async Task a_slow_trickle_times_out()
    {
        await using var receiver = await ScriptedReceiver.StartAsync(async (c, _) =>
        {
            c.Response.StatusCode = 200;
            for (var n = 0; n < 100 && !c.RequestAborted.IsCancellationRequested; n++)
            {
                await c.Response.WriteAsync("x", c.RequestAborted).ContinueWith(_ => { });
                await c.Response.Body.FlushAsync(c.RequestAborted).ContinueWith(_ => { });
                await Task.Delay(100, c.RequestAborted).ContinueWith(_ => { });
            }
        });
        var (eshop, webhook, customer) = await WebhookTo(receiver.Url, []);

        await app.ChangeCreditAsync(eshop, customer, 1m);

        var delivery = await SingleFinishedDelivery(eshop, webhook);
        Assert.Equal("failed", delivery.Status);
        Assert.StartsWith("Timed out after 2 s", delivery.Attempts[0].Error);
    }

    [Fact]
    public async Task a_webhook_that_keeps_failing_shows_it_and_is_disabled_after_the_allowed_period()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => Answer(c, 500));
        var (eshop, webhook, customer) = await WebhookTo(receiver.Url, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        var url = $"/api/eshops/{eshop}/webhooks/{webhook}";

        await app.ChangeCreditAsync(eshop, customer, 1m);

        var failing = (await app.WaitForAsync(url, w => w.AsWebhook().Health.ConsecutiveFailures >= 2, "two failures")).AsWebhook().Health;
        Assert.True(failing.Failing);
        Assert.NotNull(failing.FailingSince);
        Assert.Contains("500", failing.LastError);
        // The fixture's 4 s after the first failure at the earliest: later only if the warning came late.
        Assert.True(failing.DisablesAt >= failing.FailingSince + TimeSpan.FromSeconds(4), $"{failing}");
        var disabled = (await app.WaitForAsync(url, w => !w.AsWebhook().Enabled, "auto-disable")).AsWebhook();
        Assert.StartsWith("Every attempt failed since", disabled.DisabledReason);
        Assert.Equal("failedTooLong", disabled.AutoDisabled?.Cause);
        Assert.Null(disabled.Health.DisablesAt);
        Assert.Equal(failing.FailingSince, disabled.AutoDisabled!.FailingSince);
        Assert.True(disabled.AutoDisabled.At - failing.FailingSince >= TimeSpan.FromSeconds(4), $"{disabled.AutoDisabled}");

        await app.PostAsync($"{url}/enable", null);
        var enabled = (await app.WaitForAsync(url, w => !w.AsWebhook().Health.Failing, "a fresh start")).AsWebhook();
        Assert.Null(enabled.DisabledReason);
        Assert.Null(enabled.AutoDisabled);
        Assert.Null(enabled.Health.DisablesAt);
        Assert.Equal(0, enabled.Health.ConsecutiveFailures);
    }

    [Fact]
    public async Task switching_a_webhook_off_stops_its_pending_retries_and_a_redelivery_still_goes_out()
    {
        var up = false;
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => Answer(c, up ? 200 : 500));
        var (eshop, webhook, customer) = await WebhookTo(receiver.Url, [3, 3, 3]);
        await app.ChangeCreditAsync(eshop, customer, 1m);
        await app.WaitForDeliveriesAsync(eshop, webhook, d => d.Count == 1 && d[0]!.AsDelivery().Attempts.Count == 1, "a first attempt");

        await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/disable", null);

        var delivery = await SingleFinishedDelivery(eshop, webhook);
        delivery.ShouldHaveFailed("Not sent: the webhook was switched off.");
        Assert.Equal("Not sent: the webhook was switched off.", delivery.FailureReason);
        Assert.Single(delivery.Attempts);
        Assert.Single(receiver.Requests);

        up = true;
        var id = delivery.Id;
        await app.ExpectAsync(202, HttpMethod.Post, $"/api/eshops/{eshop}/deliveries/{id}/redeliver");
        var redelivered = (await app.WaitForAsync($"/api/eshops/{eshop}/deliveries/{id}",
            d => d.AsDelivery().Status == "succeeded", "the manual attempt to the switched-off webhook")).AsDelivery();
        Assert.Null(redelivered.FailureReason);
        Assert.Equal(2, receiver.Requests.Count);
    }

    [Fact]
    public async Task deleting_a_webhook_stops_its_pending_retries_and_it_cannot_be_redelivered()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => Answer(c, 500));
        var (eshop, webhook, customer) = await WebhookTo(receiver.Url, [3, 3, 3]);
        await app.ChangeCreditAsync(eshop, customer, 1m);
        await app.WaitForDeliveriesAsync(eshop, webhook, d => d.Count == 1 && d[0]!.AsDelivery().Attempts.Count == 1, "a first attempt");

        await app.ExpectAsync(204, HttpMethod.Delete, $"/api/eshops/{eshop}/webhooks/{webhook}");

        var delivery = await SingleFinishedDelivery(eshop, webhook);
        Assert.Equal("Not sent: the webhook was deleted.", delivery.FailureReason);
        Assert.Single(receiver.Requests);
        var id = delivery.Id;
        var refused = await app.ExpectAsync(409, HttpMethod.Post, $"/api/eshops/{eshop}/deliveries/{id}/redeliver");
        Assert.Equal("Webhook deleted", refused["title"]!.GetValue<string>());
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task a_dead_destination_opens_its_circuit_and_later_attempts_are_not_sent()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => Answer(c, 500));
        var (eshop, webhook, customer) = await WebhookTo(receiver.Url, []);

        for (var n = 0; n < 10; n++) await app.ChangeCreditAsync(eshop, customer, 1m);

        var deliveries = await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 10);
        var errors = deliveries.Select(d => d!.AsDelivery().Attempts[0].Error).ToList();
        Assert.Contains(errors, e => e != null && e.Contains("circuit open"));
        Assert.True(receiver.Requests.Count < 10, $"the receiver saw {receiver.Requests.Count} requests");
    }

    [Fact]
    public async Task requests_to_one_webhook_in_flight_stay_within_its_cap()
    {
        await using var receiver = await ScriptedReceiver.StartAsync(async (c, _) =>
        {
            await Task.Delay(300);
            await Answer(c, 200);
        });
        var (eshop, webhook, customer) = await WebhookTo(receiver.Url, []);

        for (var n = 0; n < 6; n++) await app.ChangeCreditAsync(eshop, customer, 1m);

        var deliveries = await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 6);
        Assert.All(deliveries.AsDeliveries(), d => Assert.Equal("succeeded", d.Status));
        Assert.InRange(receiver.MaxInFlight, 1, 2);
    }

    [Fact]
    public async Task redeliver_makes_a_manual_attempt_on_the_same_stream()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, i) => Answer(c, i == 0 ? 500 : 200));
        var (eshop, webhook, customer) = await WebhookTo(receiver.Url, []);
        await app.ChangeCreditAsync(eshop, customer, 1m);
        var id = (await SingleFinishedDelivery(eshop, webhook)).Id;

        await app.ExpectAsync(202, HttpMethod.Post, $"/api/eshops/{eshop}/deliveries/{id}/redeliver");

        var delivery = (await app.WaitForAsync($"/api/eshops/{eshop}/deliveries/{id}",
            d => d.AsDelivery().Status == "succeeded", "the manual attempt")).AsDelivery();
        Assert.Equal(["scheduled", "manual"], delivery.Attempts.Select(a => a.Trigger));
        Assert.Contains("delivery_redelivery_requested", await app.EventTypesAsync(id));
        await app.ExpectAsync(404, HttpMethod.Post, $"/api/eshops/{await app.NewEshopAsync()}/deliveries/{id}/redeliver");
    }

    [Fact]
    public async Task recover_redelivers_every_failed_delivery_since_a_time()
    {
        var up = false;
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => Answer(c, up ? 200 : 503));
        var (eshop, webhook, customer) = await WebhookTo(receiver.Url, []);
        var since = DateTimeOffset.UtcNow.AddMinutes(-1);
        for (var n = 0; n < 3; n++) await app.ChangeCreditAsync(eshop, customer, 1m);
        await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 3);
        up = true;

        await app.ExpectAsync(202, HttpMethod.Post, $"/api/eshops/{eshop}/webhooks/{webhook}/recover", new { since });

        var deliveries = await app.WaitForDeliveriesAsync(eshop, webhook,
            d => d.AsDeliveries().All(x => x.Status == "succeeded"), "all recovered");
        Assert.Equal(3, deliveries.Count);
        await app.ExpectAsync(400, HttpMethod.Post, $"/api/eshops/{eshop}/webhooks/{webhook}/recover", new { });
    }

    [Fact]
    public async Task an_open_circuit_defers_attempts_without_using_them_up_and_pauses_only_the_shop_calling()
    {
        var down = true;
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) =>
            Answer(c, down && c.Request.Query["shop"] == "failing" ? 503 : 200));
        var (failing, failingWebhook, failingCustomer) = await WebhookTo(receiver.Url + "?shop=failing", [60]);
        var (other, otherWebhook, otherCustomer) = await WebhookTo(receiver.Url + "?shop=other", [60]);
        for (var n = 0; n < 5; n++) await app.ChangeCreditAsync(failing, failingCustomer, 1m);
        await app.WaitForDeliveriesAsync(failing, failingWebhook, d => d.Count == 5 && d.AsDeliveries().All(x => x.Attempts.Count == 1),
            "five failed first attempts, which open the failing shop's circuit");

        await app.ChangeCreditAsync(failing, failingCustomer, 1m);
        await app.ChangeCreditAsync(other, otherCustomer, 1m);

        // The other shop's receiver is the same host and port: its circuit is its own.
        (await SingleFinishedDelivery(other, otherWebhook)).ShouldHaveSucceeded();
        var deliveries = await app.WaitForDeliveriesAsync(failing, failingWebhook, d => d.Count == 6, "the sixth delivery");
        var id = deliveries[0]!.AsDelivery().Id;
        await WaitForEventAsync(id, "delivery_attempt_deferred");
        Assert.Empty((await app.GetAsync($"/api/eshops/{failing}/deliveries/{id}")).AsDelivery().Attempts);

        down = false;
        var delivered = (await app.WaitForAsync($"/api/eshops/{failing}/deliveries/{id}", d => d.AsDelivery().Status == "succeeded",
            "the deferred attempt, once the circuit lets a request through", TimeSpan.FromSeconds(30))).AsDelivery();
        var attempt = Assert.Single(delivered.Attempts);
        Assert.Equal(1, attempt.Number);
    }

    [Theory]
    [InlineData("protectedHeaders", "custom headers cannot be decrypted")]
    [InlineData("secret", "signing secret cannot be decrypted")]
    public async Task an_attempt_whose_headers_or_secret_cannot_be_decrypted_fails_with_the_reason_and_follows_the_schedule(
        string field, string reason)
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => Answer(c, 200));
        var eshop = await app.NewEshopAsync();
        var webhook = (await app.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "keys lost", trigger = "customer.credit.changed", url = receiver.Url, retrySchedule = new[] { 1 },
            headers = new Dictionary<string, string> { ["X-Api-Key"] = "secret" },
        }, 201)).AsCreatedWebhook().Id;
        // What a lost or replaced key ring leaves: a value nothing can decrypt any more.
        await ExecuteAsync($"update webhooks.mt_doc_webhook set data = jsonb_set(data, '{{{field}}}', '\"CfDJ8undecryptable\"') where id = @id",
            webhook);
        var customer = await app.RegisterCustomerAsync(eshop);

        await app.ChangeCreditAsync(eshop, customer, 1m);

        var delivery = await SingleFinishedDelivery(eshop, webhook);
        Assert.Equal("failed", delivery.Status);
        Assert.Equal(2, delivery.Attempts.Count);
        Assert.All(delivery.Attempts, a => Assert.Contains(reason, a.Error));
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task an_exception_while_sending_fails_the_attempt_with_a_reason_and_the_schedule_goes_on()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, i) => Answer(c, i == 0 ? 500 : 200));
        var (eshop, webhook, customer) = await WebhookTo(receiver.Url, [1, 1]);
        await app.ChangeCreditAsync(eshop, customer, 1m);
        var first = await app.WaitForDeliveriesAsync(eshop, webhook, d => d.Count == 1 && d[0]!.AsDelivery().Attempts.Count == 1, "the first attempt");
        var id = first[0]!.AsDelivery().Id;
        // A request the HTTP client refuses to build: the retries meet an exception the sender does not expect.
        await ExecuteAsync("update webhooks.mt_doc_delivery set data = jsonb_set(data, '{request,method}', '\"GE T\"') where id = @id", id);

        var delivery = (await app.WaitForAsync($"/api/eshops/{eshop}/deliveries/{id}", d => d.AsDelivery().Status != "pending",
            "the delivery's end")).AsDelivery();

        Assert.Equal("failed", delivery.Status);
        Assert.Equal(3, delivery.Attempts.Count);
        Assert.All(delivery.Attempts.Skip(1), a => Assert.Contains("internal error (FormatException)", a.Error));
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task a_dead_lettered_attempt_ends_its_delivery_failed_with_the_reason()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, i) => Answer(c, i == 0 ? 500 : 200));
        var (eshop, webhook, customer) = await WebhookTo(receiver.Url, [2]);
        await app.ChangeCreditAsync(eshop, customer, 1m);
        var first = await app.WaitForDeliveriesAsync(eshop, webhook, d => d.Count == 1 && d[0]!.AsDelivery().Attempts.Count == 1, "the first attempt");
        var id = first[0]!.AsDelivery().Id;
        // The retry cannot read its webhook any more, however often it is tried: it ends in the dead-letter queue.
        await ExecuteAsync("update webhooks.mt_doc_webhook set data = jsonb_set(data, '{createdAt}', '\"not a time\"') where id = @id", webhook);

        var delivery = (await app.WaitForAsync($"/api/eshops/{eshop}/deliveries/{id}", d => d.AsDelivery().Status != "pending",
            "the dead-lettered delivery's end")).AsDelivery();

        delivery.ShouldHaveFailed("internal error");
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task a_delivery_nothing_works_on_shows_as_overdue_in_readiness_and_the_metrics()
    {
        var eshop = await app.NewEshopAsync();
        var id = Guid.CreateVersion7();
        var long_ago = DateTimeOffset.UtcNow.AddMinutes(-10);
        await using (var session = app.Store.LightweightSession())
        {
            // Pending since ten minutes, with no message queued for it: what a lost attempt would leave.
            session.Events.StartStream<Ellity.Webhooks.Delivery>(id, new Ellity.Webhooks.DeliveryScheduled(
                id, eshop, Guid.NewGuid(), "customer.credit.changed", Guid.NewGuid(), long_ago,
                new Ellity.Webhooks.DeliveryRequest("GET", "https://erp.example.cz/", new Dictionary<string, string>(), null),
                long_ago, [60]));
            await session.SaveChangesAsync();
        }
        try
        {
            var client = app.Host.Server.CreateClient();
            var ready = await app.WaitForAsync("/health/ready",
                r => r["checks"]!["deliveries"]!["data"]!["overdue"]!.GetValue<long>() >= 1, "the overdue delivery", TimeSpan.FromSeconds(20));
            Assert.Equal("Degraded", ready["checks"]!["deliveries"]!["status"]!.GetValue<string>());
            client.DefaultRequestHeaders.Authorization = new("Bearer", AppFixture.OperatorKey);
            // The gauge reads the same sample as the check. Its value is not asserted: every in-process test host has
            // this gauge under the same name, and a scrape may report another host's.
            Assert.Matches("(?m)^# TYPE ellity_webhooks_overdue gauge", await client.GetStringAsync("/metrics"));
        }
        finally
        {
            await using var session = app.Store.LightweightSession();
            session.Events.Append(id, new Ellity.Webhooks.DeliveryFailed(DateTimeOffset.UtcNow, 0, "test over"));
            await session.SaveChangesAsync();
        }
    }

    [Fact]
    public async Task recover_refuses_a_time_before_the_retention_and_a_second_recovery_while_one_runs()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => Answer(c, 200));
        var (eshop, webhook, _) = await WebhookTo(receiver.Url, []);
        var recover = $"/api/eshops/{eshop}/webhooks/{webhook}/recover";

        var tooOld = await app.PostAsync(recover, new { since = DateTimeOffset.UtcNow.AddDays(-91) }, 400);
        Assert.NotNull(tooOld["errors"]!["since"]);
        await AppendAsync(webhook, new WebhookRecoveryStarted(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow));
        var running = await app.PostAsync(recover, new { since = DateTimeOffset.UtcNow.AddDays(-1) }, 409);
        Assert.Equal("Recovery in progress", running["title"]!.GetValue<string>());
        await AppendAsync(webhook, new WebhookRecoveryFinished(DateTimeOffset.UtcNow, 0));
        await app.PostAsync(recover, new { since = DateTimeOffset.UtcNow.AddDays(-1) }, 202);
        var history = (await app.WaitForAsync($"/api/eshops/{eshop}/webhooks/{webhook}/history",
            h => h.AsHistory().Count(c => c.Change == "recovery-finished") == 2, "the recovery's end")).AsHistory();
        Assert.Equal(2, history.Count(c => c.Change == "recovery-started"));
    }

    [Fact]
    public async Task racing_recoveries_and_redeliveries_never_send_a_delivery_twice()
    {
        var up = false;
        // A 400 fails the delivery without counting against the destination's circuit, which would refuse the redeliveries.
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => Answer(c, up ? 200 : 400));
        var (eshop, webhook, customer) = await WebhookTo(receiver.Url, []);
        var since = DateTimeOffset.UtcNow.AddMinutes(-1);
        // In one request: the fixture switches a webhook off after 4 s of failures, and a change committed after that
        // would make no delivery at all.
        await app.PostAsync($"/api/eshops/{eshop}/customers/credit-changes",
            new { changes = Enumerable.Range(0, 30).Select(_ => new { customerId = customer, value = 1m }) });
        var failed = await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 30);
        up = true;

        var calls = Enumerable.Range(0, 3)
            .Select(_ => app.SendAsync(HttpMethod.Post, $"/api/eshops/{eshop}/webhooks/{webhook}/recover", new { since }))
            .Concat(failed.AsDeliveries().Select(d => app.SendAsync(HttpMethod.Post, $"/api/eshops/{eshop}/deliveries/{d.Id}/redeliver")));
        var answers = await Task.WhenAll(calls);

        Assert.All(answers, a => Assert.Contains(a.Status, new[] { 202, 409 }));
        await app.WaitForDeliveriesAsync(eshop, webhook, d => d.AsDeliveries().All(x => x.Status == "succeeded"), "all redelivered");
        await Task.Delay(1000);
        var sent = receiver.Requests.GroupBy(r => r.Headers["webhook-id"]).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(30, sent.Count);
        Assert.All(sent, s => Assert.Equal(2, s.Value));
    }

    private async Task WaitForEventAsync(Guid stream, string type)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(15); !(await app.EventTypesAsync(stream)).Contains(type); await Task.Delay(100))
            Assert.True(DateTime.UtcNow < deadline, $"no {type} in {string.Join(", ", await app.EventTypesAsync(stream))}");
    }

    private async Task AppendAsync(Guid stream, object @event)
    {
        await using var session = app.Store.LightweightSession();
        session.Events.Append(stream, @event);
        await session.SaveChangesAsync();
    }

    private async Task ExecuteAsync(string sql, Guid id)
    {
        await using var connection = new Npgsql.NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }
}

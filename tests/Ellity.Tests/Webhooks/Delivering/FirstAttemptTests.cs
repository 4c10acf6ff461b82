using System.Text.Json.Nodes;
using Ellity.Tests.Infrastructure;
using Ellity.Webhooks;
using Ellity.Webhooks.Delivering;
using Ellity.Webhooks.Dispatching;
using Ellity.Webhooks.Erasing;
using Microsoft.AspNetCore.Http;
using Wolverine.Tracking;

namespace Ellity.Tests.Webhooks.Delivering;

/// <summary>
/// A delivery's stream is written with its first attempt's outcome, so its first attempt message carries the plan. What
/// happens to such a message when it is replayed, when its customer is erased while it waits, and when it cannot be handled.
/// </summary>
[Collection(FaultsCollection.Name)]
public sealed class FirstAttemptTests(FaultsFixture app)
{
    private static Task Answer(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    private async Task<(string Eshop, Guid Webhook)> WebhookTo(string url)
    {
        var eshop = await app.NewEshopAsync();
        return (eshop, await app.CreateWebhookAsync(eshop, "customer.credit.changed", url, "{\"credit\": 1}", retrySchedule: [1]));
    }

    /// <summary>A first attempt as dispatch queues it, for a customer change at <paramref name="occurredAt"/>.</summary>
    private static AttemptDelivery FirstAttempt(string eshop, Guid webhook, string url, Guid customer, DateTimeOffset occurredAt)
    {
        var id = Guid.CreateVersion7();
        var now = DispatchCustomerEvents.ScheduledNow();
        var request = new DeliveryRequest("POST", url + "?customer=" + customer,
            new Dictionary<string, string> { ["Content-Type"] = "application/json", [DeliveryHeaders.Id] = id.ToString() }, "{\"credit\": 1}");
        return new AttemptDelivery(id, 1, webhook, Plan: new DeliveryScheduled(id, eshop, webhook, "customer.credit.changed", Guid.NewGuid(),
            occurredAt, request, now, [1], CustomerId: customer));
    }

    /// <summary>Queues the messages as dispatch does and returns once they, and whatever they cascade, are handled.</summary>
    private Task QueueAndWaitAsync(params AttemptDelivery[] attempts) =>
        app.Host.TrackActivity().Timeout(TimeSpan.FromSeconds(60)).DoNotAssertOnExceptionsDetected()
            .ExecuteAndWaitAsync((Func<Wolverine.IMessageContext, Task>)(async context =>
            {
                foreach (var attempt in attempts) await context.PublishAsync(attempt);
            }));

    private async Task<JsonNode> Delivery(string eshop, Guid id)
    {
        var (status, delivery) = await app.SendAsync(HttpMethod.Get, $"/api/eshops/{eshop}/deliveries/{id}");
        Assert.Equal(200, status);
        return delivery!;
    }

    [Fact]
    public async Task a_first_attempt_replayed_after_it_was_recorded_sends_nothing_and_records_nothing()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => Answer(c, 200));
        var (eshop, webhook) = await WebhookTo(receiver.Url);
        var attempt = FirstAttempt(eshop, webhook, receiver.Url, Guid.NewGuid(), DateTimeOffset.UtcNow);

        await QueueAndWaitAsync(attempt);
        await QueueAndWaitAsync(attempt);

        Assert.Equal("succeeded", (await Delivery(eshop, attempt.DeliveryId)).AsDelivery().Status);
        Assert.Equal(["delivery_scheduled", "delivery_attempted", "delivery_succeeded"], await app.EventTypesAsync(attempt.DeliveryId));
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task twin_first_attempts_at_once_record_one_delivery_with_one_attempt()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => Answer(c, 200));
        var (eshop, webhook) = await WebhookTo(receiver.Url);
        var attempt = FirstAttempt(eshop, webhook, receiver.Url, Guid.NewGuid(), DateTimeOffset.UtcNow);

        await QueueAndWaitAsync(attempt, attempt, attempt);

        Assert.Equal(["delivery_scheduled", "delivery_attempted", "delivery_succeeded"], await app.EventTypesAsync(attempt.DeliveryId));
        // At least once: twins in flight together may both be sent, always as the same delivery.
        Assert.InRange(receiver.Requests.Count, 1, 3);
        Assert.All(receiver.Requests, r => Assert.Equal(attempt.DeliveryId.ToString(), r.Headers["webhook-id"]));
    }

    [Fact]
    public async Task a_first_attempt_still_queued_when_its_customer_is_erased_is_not_sent_and_is_recorded_erased()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => Answer(c, 200));
        var (eshop, webhook) = await WebhookTo(receiver.Url);
        var customer = Guid.NewGuid();
        var attempt = FirstAttempt(eshop, webhook, receiver.Url, customer, DateTimeOffset.UtcNow.AddMinutes(-1));
        await using (var session = app.Store.LightweightSession())
        {
            session.Store(new ErasedCustomer(customer, eshop, DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }

        await QueueAndWaitAsync(attempt);

        Assert.Empty(receiver.Requests);
        var json = await Delivery(eshop, attempt.DeliveryId);
        var delivery = json.AsDelivery();
        Assert.Equal("failed", delivery.Status);
        Assert.Equal(ErasePersonalDataHandler.Reason, delivery.FailureReason);
        Assert.NotNull(delivery.ContentErasedAt);
        Assert.DoesNotContain(customer.ToString(), json.ToJsonString());
        Assert.Empty(delivery.Attempts);
    }

    [Fact]
    public async Task a_first_attempt_that_cannot_be_handled_is_recorded_failed_with_the_reason()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => Answer(c, 200));
        var (eshop, webhook) = await WebhookTo(receiver.Url);
        var attempt = FirstAttempt(eshop, webhook, receiver.Url, Guid.NewGuid(), DateTimeOffset.UtcNow);
        // The attempt cannot read its webhook, however often it is tried: it ends in the dead-letter queue.
        await using (var connection = new Npgsql.NpgsqlConnection(app.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(
                "update webhooks.mt_doc_webhook set data = jsonb_set(data, '{createdAt}', '\"not a time\"') where id = @id", connection);
            command.Parameters.AddWithValue("id", webhook);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        await QueueAndWaitAsync(attempt);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var (status, delivery) = await app.SendAsync(HttpMethod.Get, $"/api/eshops/{eshop}/deliveries/{attempt.DeliveryId}");
        while (status == 404 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            (status, delivery) = await app.SendAsync(HttpMethod.Get, $"/api/eshops/{eshop}/deliveries/{attempt.DeliveryId}");
        }
        Assert.Equal(200, status);
        var failed = delivery!.AsDelivery();
        Assert.Equal("failed", failed.Status);
        Assert.Contains("internal error", failed.FailureReason);
        Assert.Empty(receiver.Requests);
    }
}

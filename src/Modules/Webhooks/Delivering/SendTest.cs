using Ellity.Webhooks.Dispatching;
using Ellity.Webhooks.Subscribing;
using Ellity.Webhooks.Triggers;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine;
using Wolverine.Http;

namespace Ellity.Webhooks.Delivering;

public sealed record TestDeliveryResponse(Guid DeliveryId);

/// <summary>
/// Sends a webhook's request now, filled with its trigger's sample data (exactly what the preview
/// shows), through the same pipeline as real deliveries: signed, with custom headers, in the
/// delivery log, marked as a test. One attempt only: the owner is watching and can press again.
/// A disabled webhook can be tested too; that is when owners try a receiver out.
/// </summary>
public static class SendTestEndpoint
{
    public static DeliveryScheduled Plan(Webhook webhook, Guid deliveryId, DateTimeOffset now)
    {
        var trigger = TriggerCatalog.Find(webhook.Trigger)
            ?? throw new InvalidOperationException($"Webhook {webhook.Id} has trigger '{webhook.Trigger}', which is not in the catalog.");
        // No event caused it, so no source event and no customer (sample data is nobody's personal data).
        return DispatchCustomerEvents.Plan(webhook, deliveryId, trigger, trigger.SampleValuesFor(webhook.EshopId), now, retrySchedule: [])
            with { Test = true };
    }

    [WolverinePost("/api/eshops/{eshopId}/webhooks/{webhookId}/test"), Tags("Deliveries")]
    public static async Task<Results<Accepted<TestDeliveryResponse>, ProblemHttpResult>> Post(
        string eshopId, Guid webhookId, IDocumentSession session, IMessageBus bus, CancellationToken ct)
    {
        if (await WebhookLookup.Load(session, eshopId, webhookId, ct) is not { } webhook) return WebhookLookup.NotFound(webhookId);

        var scheduled = Plan(webhook, Guid.CreateVersion7(), DispatchCustomerEvents.ScheduledNow());
        session.Events.StartStream<Delivery>(scheduled.DeliveryId, scheduled);
        await bus.PublishAsync(new AttemptDelivery(scheduled.DeliveryId, WebhookId: scheduled.WebhookId));
        return TypedResults.Accepted($"/api/eshops/{eshopId}/deliveries/{scheduled.DeliveryId}",
            new TestDeliveryResponse(scheduled.DeliveryId));
    }
}

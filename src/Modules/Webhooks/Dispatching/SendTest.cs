using Ellity.Webhooks.Delivering;
using Ellity.Webhooks.Triggers;
using Microsoft.Extensions.Options;

namespace Ellity.Webhooks.Dispatching;

public sealed record TestDeliveryResponse(Guid DeliveryId);

/// <summary>
/// Sends a webhook's request now, filled with its trigger's sample data (exactly what the preview
/// shows), through the same pipeline as real deliveries: signed, with custom headers, in the
/// delivery log, marked as a test. One attempt only: the owner is watching and can press again.
/// A disabled webhook can be tested too; that is when owners try a receiver out.
/// </summary>
public static class SendTestEndpoint
{
    public static PlannedDelivery Plan(Webhook webhook, Trigger? trigger, Guid deliveryId, DateTimeOffset now, RenderLimits limits)
    {
        trigger = trigger
            ?? throw new InvalidOperationException($"Webhook {webhook.Id} has trigger '{webhook.Trigger}', which is not in the catalog.");
        // No event caused it, so no source event and no customer (sample data is nobody's personal data).
        var planned = DispatchCustomerEvents.Plan(webhook, deliveryId, trigger, trigger.SampleValuesFor(webhook.EshopId), now,
            retrySchedule: [], limits);
        return planned with { Scheduled = planned.Scheduled with { Test = true } };
    }

    [WolverinePost("/api/eshops/{eshopId}/webhooks/{webhookId}/test"), Tags("Deliveries"), EnableRateLimiting(WebhookRateLimits.TestSends)]
    public static async Task<Results<Accepted<TestDeliveryResponse>, ProblemHttpResult>> Post(
        string eshopId, Guid webhookId, IDocumentSession session, IMessageBus bus, IOptions<WebhooksOptions> options,
        DeliveryTelemetry telemetry, TriggerCatalog triggers, CancellationToken ct)
    {
        if (await WebhookLookup.Load(session, eshopId, webhookId, ct) is not { } webhook) return WebhookLookup.NotFound(webhookId);

        var planned = Plan(webhook, triggers.Find(webhook.Trigger), Guid.CreateVersion7(), DispatchCustomerEvents.ScheduledNow(), options.Value.RenderLimits);
        if (planned.Start(session, telemetry) is { } attempt) await bus.PublishAsync(attempt);
        var id = planned.Scheduled.DeliveryId;
        return TypedResults.Accepted($"/api/eshops/{eshopId}/deliveries/{id}", new TestDeliveryResponse(id));
    }
}

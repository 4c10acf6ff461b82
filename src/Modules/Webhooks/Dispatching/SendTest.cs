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

    public static ProblemDetails Validate(Webhook? webhook, string eshopId, Guid webhookId) =>
        WebhookLookup.Found(webhook, eshopId, webhookId);

    [WolverinePost("/api/eshops/{eshopId}/webhooks/{webhookId}/test"), Tags("Deliveries"), EnableRateLimiting(WebhookRateLimits.TestSends)]
    public static (Accepted<TestDeliveryResponse>, IStartStream, OutgoingMessages) Post(string eshopId,
        [ReadAggregate(Required = false)] Webhook? webhook, IOptions<WebhooksOptions> options, DeliveryTelemetry telemetry,
        TriggerCatalog triggers)
    {
        var planned = Plan(webhook!, triggers.Find(webhook!.Trigger), Guid.CreateVersion7(), DispatchCustomerEvents.ScheduledNow(),
            options.Value.RenderLimits);
        var (stream, attempt) = planned.Start(telemetry);
        var id = planned.Scheduled.DeliveryId;
        return (TypedResults.Accepted($"/api/eshops/{eshopId}/deliveries/{id}", new TestDeliveryResponse(id)), stream,
            attempt is null ? [] : [attempt]);
    }
}

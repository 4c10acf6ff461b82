using Ellity.Customers.Contracts;
using Ellity.Webhooks.Delivering;
using Ellity.Webhooks.Erasing;
using Ellity.Webhooks.Subscribing;
using Ellity.Webhooks.Templating;
using Ellity.Webhooks.Triggers;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;
using Wolverine.Attributes;

namespace Ellity.Webhooks.Dispatching;

/// <summary>
/// Turns each customer integration event into one delivery per matching webhook: its first attempt queued with the
/// planned request, in one transaction. The delivery's stream is written once, with the first attempt's outcome
/// (see <see cref="AttemptRecorder"/>), which halves what a delivery writes. Events arrive in batches
/// (see <see cref="WebhooksModule"/>), so a burst costs a few round trips per batch, not per event.
/// </summary>
[WolverineHandler]
public static class DispatchCustomerEvents
{
    public static Task<OutgoingMessages> Handle(CustomerRegisteredIntegrationEvent[] events, IDocumentSession session, IOptions<WebhooksOptions> options,
        DeliveryTelemetry telemetry, CancellationToken ct) =>
        Dispatch(session, options.Value, telemetry, TriggerCatalog.CustomerRegistered, events,
            e => TriggerCatalog.ValuesOf(e, TriggerCatalog.CustomerRegistered), ct);

    public static Task<OutgoingMessages> Handle(CustomerCreditChangedIntegrationEvent[] events, IDocumentSession session, IOptions<WebhooksOptions> options,
        DeliveryTelemetry telemetry, CancellationToken ct) =>
        Dispatch(session, options.Value, telemetry, TriggerCatalog.CreditChanged, events, TriggerCatalog.ValuesOf, ct);

    public static Task<OutgoingMessages> Handle(CustomerTierChangedIntegrationEvent[] events, IDocumentSession session, IOptions<WebhooksOptions> options,
        DeliveryTelemetry telemetry, CancellationToken ct) =>
        Dispatch(session, options.Value, telemetry, TriggerCatalog.TierChanged, events, TriggerCatalog.ValuesOf, ct);

    // No trigger listens to group changes yet; handling the message keeps it from piling up unrouted.
    public static void Handle(CustomerGroupChangedIntegrationEvent e) { }

    /// <param name="valuesOf">The template variables an event fills; only worked out for events some webhook listens to.</param>
    public static async Task<OutgoingMessages> Dispatch<T>(IDocumentSession session, WebhooksOptions options, DeliveryTelemetry telemetry, Trigger trigger,
        T[] events, Func<T, IReadOnlyDictionary<string, TemplateValue>> valuesOf, CancellationToken ct)
        where T : ICustomerIntegrationEvent
    {
        var messages = new OutgoingMessages();
        var eshopIds = events.Select(e => e.Customer.EshopId).Distinct().ToArray();
        var customerIds = events.Select(e => e.Customer.Id).Distinct().ToArray();
        // One round trip for both reads, whatever the size of the batch.
        var reads = session.CreateBatchQuery();
        var matching = reads.Query<Webhook>()
            .Where(w => w.EshopId.IsOneOf(eshopIds) && w.Trigger == trigger.Name && w.Enabled && !w.Deleted)
            .ToList();
        var erasures = reads.LoadMany<ErasedCustomer>().ById(customerIds);
        await reads.Execute(ct);
        var erased = (await erasures).ToDictionary(x => x.Id, x => x.ErasedAt);
        var webhooksByEshop = (await matching).ToLookup(w => w.EshopId);

        var due = events
            // An event that waited in the queue past its customer's erasure is not sent: its personal data is gone.
            .Where(e => !(erased.TryGetValue(e.Customer.Id, out var erasedAt) && e.OccurredAt < erasedAt))
            .SelectMany(e => webhooksByEshop[e.Customer.EshopId].Where(w => w.Accepts(e.OccurredAt))
                .Select(w => (Event: e, Webhook: w, DeliveryId: DeliveryIds.For(w.Id, e.EventId))))
            // An event twice in one batch plans its delivery once. One handled again later (a retried batch) queues its
            // first attempt again, which finds the delivery's stream already written and stops there.
            .DistinctBy(d => d.DeliveryId)
            .ToList();
        if (due.Count == 0) return messages;

        // Each event's deliveries share a time, later for each later event of the batch, so the delivery
        // log keeps the events' order.
        var now = DateTimeOffset.MinValue;
        foreach (var planned in due.GroupBy(d => d.Event.EventId))
        {
            var next = ScheduledNow();
            now = next > now ? next : now.AddTicks(TimeSpan.TicksPerMicrosecond);
            var e = planned.First().Event;
            var values = valuesOf(e);
            foreach (var (_, webhook, deliveryId) in planned)
            {
                var delivery = Plan(webhook, deliveryId, trigger, e, values, now, webhook.RetrySchedule ?? options.EffectiveRetrySchedule,
                    options.RenderLimits);
                if (delivery.Queue(session, telemetry) is { } attempt) messages.Add(attempt);
            }
        }
        return messages;
    }

    public static PlannedDelivery Plan(Webhook webhook, Guid deliveryId, Trigger trigger,
        ICustomerIntegrationEvent e, IReadOnlyDictionary<string, TemplateValue> values, DateTimeOffset now,
        IReadOnlyList<int> retrySchedule, RenderLimits limits)
    {
        var planned = Plan(webhook, deliveryId, trigger, values, now, retrySchedule, limits);
        return planned with
        {
            Scheduled = planned.Scheduled with
            {
                SourceEventId = e.EventId, SourceOccurredAt = e.OccurredAt, CustomerId = e.Customer.Id, TraceParent = e.TraceParent,
            },
        };
    }

    /// <summary>The request rendered for the webhook, carrying the delivery id; the source event is filled in by the caller.</summary>
    public static PlannedDelivery Plan(Webhook webhook, Guid deliveryId, Trigger trigger,
        IReadOnlyDictionary<string, TemplateValue> values, DateTimeOffset now, IReadOnlyList<int> retrySchedule, RenderLimits limits)
    {
        var (request, notSent, _) = RequestRenderer.Render(webhook, values, limits);
        var headers = new Dictionary<string, string>(request.Headers) { [DeliveryHeaders.Id] = deliveryId.ToString() };
        return new(new DeliveryScheduled(deliveryId, webhook.EshopId, webhook.Id, trigger.Name, Guid.Empty, now,
            request with { Headers = headers }, now, retrySchedule), notSent);
    }

    /// <summary>Now in whole microseconds, as PostgreSQL keeps them, so a paging cursor compares exactly.</summary>
    public static DateTimeOffset ScheduledNow()
    {
        var now = DateTimeOffset.UtcNow;
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}

/// <summary>A delivery as planned: the request to send, or why it may not be sent at all (<see cref="NotSent"/>).</summary>
public sealed record PlannedDelivery(DeliveryScheduled Scheduled, string? NotSent)
{
    /// <summary>
    /// The first attempt to queue, carrying the plan: its stream is started with the attempt's outcome. A delivery that
    /// cannot be sent has no attempt: its stream is started here, ended.
    /// </summary>
    public AttemptDelivery? Queue(IDocumentSession session, DeliveryTelemetry telemetry) =>
        NotSent is null ? new AttemptDelivery(Scheduled.DeliveryId, WebhookId: Scheduled.WebhookId, Plan: Scheduled) : Start(session, telemetry);

    /// <summary>Starts the delivery's stream at once (it shows in the log before its attempt); returns its first attempt to queue, or null when it ended at once, unsent.</summary>
    public AttemptDelivery? Start(IDocumentSession session, DeliveryTelemetry telemetry)
    {
        if (NotSent is null)
        {
            session.Events.StartStream<Delivery>(Scheduled.DeliveryId, Scheduled);
            return new AttemptDelivery(Scheduled.DeliveryId, WebhookId: Scheduled.WebhookId);
        }
        session.Events.StartStream<Delivery>(Scheduled.DeliveryId, Scheduled,
            new DeliveryFailed(Scheduled.ScheduledAt, 0, NotSent, Scheduled.WebhookId, Unsendable: true));
        telemetry.Ended(Scheduled.Trigger, succeeded: false);
        return null;
    }
}

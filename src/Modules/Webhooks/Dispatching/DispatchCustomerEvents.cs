using Ellity.Customers.Contracts;
using Ellity.Webhooks.Delivering;
using Ellity.Webhooks.Erasing;
using Ellity.Webhooks.Templating;
using Ellity.Webhooks.Triggers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wolverine.Attributes;

namespace Ellity.Webhooks.Dispatching;

/// <summary>
/// The Webhooks module's subscriber to customer events. It plans one delivery per matching webhook inside the publishing
/// subscription's transaction, each as its first attempt's durable message carrying the rendered request, so the events
/// reach the attempts with no message and no transaction in between. The delivery's stream is written once, with the
/// first attempt's outcome (see <see cref="AttemptRecorder"/>).
/// </summary>
public sealed partial class CustomerEventDispatcher(IServiceProvider services, IOptions<WebhooksOptions> options,
    TriggerCatalog triggers, ILogger<CustomerEventDispatcher> logger) : ICustomerEventSubscriber
{
    // The document store is built with the subscription that holds this subscriber: taken at first use, not in the constructor.
    private IDocumentStore? _store;

    public async Task<IReadOnlyList<object>> ReceiveAsync(IReadOnlyList<ICustomerIntegrationEvent> events, CancellationToken ct)
    {
        var store = _store ??= services.GetRequiredService<IDocumentStore>();
        // An erasure has its own handler, which may take its time.
        var messages = new List<object>(events.OfType<CustomerPersonalDataErasedIntegrationEvent>());
        try
        {
            await using var session = store.QuerySession();
            messages.AddRange(await DispatchCustomerEvents.Dispatch(session, options.Value, triggers, events, ct));
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Whatever went wrong here (a webhook that does not render, the database busy) must not stop every e-shop's
            // events: each event goes to the dispatch queue instead, where it is retried on its own and, should it keep
            // failing, dead-lettered on its own.
            LogFellBack(logger, e, events.Count);
            messages.AddRange(events.Where(x => triggers.For(x).Any()));
        }
        return messages;
    }

    [LoggerMessage(LogLevel.Warning, "Dispatching {Count} customer events failed; they are queued to be dispatched one by one")]
    private static partial void LogFellBack(ILogger logger, Exception exception, int count);
}

/// <summary>
/// Plans the deliveries of customer events: what <see cref="CustomerEventDispatcher"/> does for a page of events, and the
/// handlers below for one event that could not be dispatched with its page.
/// </summary>
[WolverineHandler]
public static class DispatchCustomerEvents
{
    // One handler per contract event, whether a built-in trigger fires on it or not, so that a trigger registered on any of
    // them has its fallback (ArchitectureTests checks that none is missing).
    public static async Task<OutgoingMessages> Handle(CustomerRegisteredIntegrationEvent e, IDocumentSession session,
        IOptions<WebhooksOptions> options, TriggerCatalog triggers, CancellationToken ct) =>
        [.. await Dispatch(session, options.Value, triggers, [e], ct)];

    public static async Task<OutgoingMessages> Handle(CustomerCreditChangedIntegrationEvent e, IDocumentSession session,
        IOptions<WebhooksOptions> options, TriggerCatalog triggers, CancellationToken ct) =>
        [.. await Dispatch(session, options.Value, triggers, [e], ct)];

    public static async Task<OutgoingMessages> Handle(CustomerTierChangedIntegrationEvent e, IDocumentSession session,
        IOptions<WebhooksOptions> options, TriggerCatalog triggers, CancellationToken ct) =>
        [.. await Dispatch(session, options.Value, triggers, [e], ct)];

    public static async Task<OutgoingMessages> Handle(CustomerGroupChangedIntegrationEvent e, IDocumentSession session,
        IOptions<WebhooksOptions> options, TriggerCatalog triggers, CancellationToken ct) =>
        [.. await Dispatch(session, options.Value, triggers, [e], ct)];

    /// <summary>
    /// The first attempt of every delivery the events make, in one round trip of reads, whatever their number, and for each
    /// webhook whose conditions some of them did not meet, how many (<see cref="WebhookEventsSkipped"/>).
    /// </summary>
    public static async Task<List<object>> Dispatch(IQuerySession session, WebhooksOptions options,
        TriggerCatalog catalog, IReadOnlyList<ICustomerIntegrationEvent> events, CancellationToken ct)
    {
        var triggered = events.Select(e => (Event: e, Triggers: catalog.For(e).ToList())).Where(x => x.Triggers.Count > 0).ToList();
        if (triggered.Count == 0) return [];
        var eshopIds = triggered.Select(x => x.Event.Customer.EshopId).Distinct().ToArray();
        var triggers = triggered.SelectMany(x => x.Triggers).Select(t => t.Name).Distinct().ToArray();
        var customerIds = triggered.Select(x => x.Event.Customer.Id).Distinct().ToArray();
        var reads = session.CreateBatchQuery();
        var matching = reads.Query<Webhook>()
            .Where(w => w.EshopId.IsOneOf(eshopIds) && w.Trigger.IsOneOf(triggers) && w.Enabled && !w.Deleted && !w.Suspended)
            .ToList();
        var erasures = reads.LoadMany<ErasedCustomer>().ById(customerIds);
        var added = reads.LoadMany<EshopFeatures>().ById(eshopIds.Select(EshopFeatures.IdFor).ToArray());
        await reads.Execute(ct);
        var erased = (await erasures).ToDictionary(x => x.Id, x => x.ErasedAt);
        var features = (await added).ToDictionary(x => x.EshopId);
        var webhooks = (await matching).ToLookup(w => (w.EshopId, w.Trigger));

        var attempts = new List<object>();
        var ordered = new List<DeliveryScheduled>();
        var skipped = new Dictionary<Guid, WebhookEventsSkipped>();
        var planned = new HashSet<Guid>();
        // Each event's deliveries share a time, later for each later event, so the delivery log keeps the events' order.
        var now = DateTimeOffset.MinValue;
        foreach (var (e, eventTriggers) in triggered)
        {
            // An event that waited past its customer's erasure is not sent: its personal data is gone.
            if (erased.TryGetValue(e.Customer.Id, out var erasedAt) && e.OccurredAt < erasedAt) continue;
            // Nor is one that happened while its e-shop was without the Webhooks feature.
            if (!WebhooksFeature.Allows(features.GetValueOrDefault(e.Customer.EshopId), e.OccurredAt)) continue;
            var due = eventTriggers.SelectMany(t => webhooks[(e.Customer.EshopId, t.Name)].Where(w => w.Accepts(e.OccurredAt))
                .Select(w => (Webhook: w, Trigger: t))).ToList();
            if (due.Count == 0) continue;
            var next = ScheduledNow();
            now = next > now ? next : now.AddTicks(TimeSpan.TicksPerMicrosecond);
            var values = new Dictionary<Trigger, Dictionary<string, TemplateValue>>();
            foreach (var (webhook, trigger) in due)
            {
                // An event twice in one page plans its delivery once. One handled again later (a replayed page) queues its
                // first attempt again, which finds the delivery's stream already written and stops there.
                var deliveryId = DeliveryIds.For(webhook.Id, e.EventId);
                if (!planned.Add(deliveryId)) continue;
                if (!values.TryGetValue(trigger, out var filled)) values[trigger] = filled = trigger.ValuesFor(e);
                if (webhook.Unmet(filled) is { } unmet)
                {
                    skipped[webhook.Id] = new WebhookEventsSkipped(webhook.Id, now, (skipped.GetValueOrDefault(webhook.Id)?.Count ?? 0) + 1,
                        e.EventId, unmet.ToString());
                    continue;
                }
                var delivery = Plan(webhook, deliveryId, trigger, e, filled, now, webhook.RetrySchedule ?? options.EffectiveRetrySchedule,
                    options.RenderLimits);
                // In order per customer: started in order, one after another (OrderedDeliveriesHandler); one that cannot be
                // sent ends at once like any other.
                if (webhook.OrderedPerCustomer && delivery.NotSent is null) ordered.Add(delivery.Scheduled);
                else attempts.Add(delivery.Queue());
            }
        }
        if (ordered.Count > 0) attempts.Add(new StartOrderedDeliveries(ordered));
        attempts.AddRange(skipped.Values);
        return attempts;
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
    /// The first attempt to queue, carrying the plan: its stream is started with the attempt's outcome. One that cannot
    /// be sent carries why, and its stream is started ended.
    /// </summary>
    public AttemptDelivery Queue() => new(Scheduled.DeliveryId, WebhookId: Scheduled.WebhookId, Plan: Scheduled, NotSent: NotSent);

    /// <summary>
    /// The delivery's stream, to start at once (it shows in the log before its attempt), and its first attempt to queue, or
    /// none when it ended at once, unsent.
    /// </summary>
    public (IStartStream Stream, AttemptDelivery? Attempt) Start(DeliveryTelemetry telemetry)
    {
        if (NotSent is null)
            return (MartenOps.StartStream<Delivery>(Scheduled.DeliveryId, Scheduled),
                new AttemptDelivery(Scheduled.DeliveryId, WebhookId: Scheduled.WebhookId));
        telemetry.Ended(Scheduled.Trigger, succeeded: false);
        return (MartenOps.StartStream<Delivery>(Scheduled.DeliveryId, Scheduled, DeliveryFailed.Unsent(Scheduled, NotSent)), null);
    }
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wolverine.Runtime;

namespace Ellity.Webhooks.Delivering;

/// <summary>The deliveries a page of events made for webhooks that deliver in order per customer, in the events' order.</summary>
public sealed record StartOrderedDeliveries(IReadOnlyList<DeliveryScheduled> Deliveries);

/// <summary>A delivery of <see cref="WebhookId"/> for <see cref="CustomerId"/> ended (<see cref="Ended"/>): the next one waiting may go.</summary>
public sealed record ReleaseOrderedDelivery(Guid WebhookId, Guid CustomerId, Guid? Ended = null);

/// <summary>
/// In-order delivery per customer (<see cref="WebhookOrdering.PerCustomer"/>): a delivery is not attempted while an earlier
/// one of the same webhook for the same customer is pending. Both messages are handled one at a time, in the order they
/// were sent, on their own queue. A delivery is started as its page is: the first of its customer's goes at once, a later
/// one is held (<see cref="DeliveryHeld"/>) until the one before it ends, succeeded or failed, which releases it
/// (<see cref="DeliveryReleased"/>). <see cref="OrderedDeliverySweeper"/> releases what an ending without a message left held.
/// </summary>
public static class OrderedDeliveriesHandler
{
    public const string Queue = "webhook-ordering";

    public static async Task<OutgoingMessages> Handle(StartOrderedDeliveries command, IDocumentSession session, CancellationToken ct)
    {
        var deliveries = command.Deliveries;
        var webhooks = deliveries.Select(d => d.WebhookId).Distinct().ToArray();
        var customers = deliveries.Select(d => d.CustomerId).Distinct().ToArray();
        var reads = session.CreateBatchQuery();
        var states = deliveries.Select(d => reads.Events.FetchStreamState(d.DeliveryId)).ToList();
        var pending = reads.Query<Delivery>()
            .Where(d => d.Status == DeliveryStatus.Pending && d.WebhookId.IsOneOf(webhooks) && d.CustomerId.IsOneOf(customers))
            .OrderBy(d => d.ScheduledAt)
            .ToList();
        await reads.Execute(ct);
        // The last pending delivery of each webhook and customer: a new one waits behind it.
        var last = new Dictionary<(Guid, Guid), Guid>();
        foreach (var earlier in await pending) last[(earlier.WebhookId, earlier.CustomerId!.Value)] = earlier.Id;

        var messages = new OutgoingMessages();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < deliveries.Count; i++)
        {
            var delivery = deliveries[i];
            // Started by this message before (a replay): as it was.
            if (await states[i] is not null) continue;
            var lane = (delivery.WebhookId, delivery.CustomerId!.Value);
            if (last.TryGetValue(lane, out var behind))
            {
                session.Events.StartStream<Delivery>(delivery.DeliveryId, delivery, new DeliveryHeld(behind, now));
            }
            else
            {
                session.Events.StartStream<Delivery>(delivery.DeliveryId, delivery);
                messages.Add(new AttemptDelivery(delivery.DeliveryId, 1, delivery.WebhookId));
            }
            last[lane] = delivery.DeliveryId;
        }
        return messages;
    }

    /// <summary>
    /// Releases the customer's earliest pending delivery if it is held. Every held one goes once the webhook no longer
    /// delivers in order.
    /// </summary>
    public static async Task<OutgoingMessages> Handle(ReleaseOrderedDelivery command, IDocumentSession session, CancellationToken ct)
    {
        var reads = session.CreateBatchQuery();
        var webhook = reads.Load<Webhook>(command.WebhookId);
        var pending = reads.Query<Delivery>()
            .Where(d => d.Status == DeliveryStatus.Pending && d.WebhookId == command.WebhookId && d.CustomerId == command.CustomerId)
            .OrderBy(d => d.ScheduledAt)
            .ToList();
        await reads.Execute(ct);
        var lane = await pending;
        var ordered = (await webhook)?.Ordering == WebhookOrdering.PerCustomer;
        var released = ordered ? lane.Take(1).Where(d => d.HeldBehind is not null) : lane.Where(d => d.HeldBehind is not null);
        var messages = new OutgoingMessages();
        var now = DateTimeOffset.UtcNow;
        foreach (var delivery in released)
        {
            var stream = await session.Events.FetchForWriting<Delivery>(delivery.Id, ct);
            if (stream.Aggregate is not { Status: DeliveryStatus.Pending, HeldBehind: not null } held) continue;
            stream.AppendOne(new DeliveryReleased(now, command.Ended));
            messages.Add(AttemptDelivery.Next(held, held.NextAttempt));
        }
        return messages;
    }
}

/// <summary>
/// Now and then, releases the held deliveries whose customer has none pending before them: the ones an ending left held
/// without telling (a dead-lettered attempt, the Webhooks feature removed, an erasure, a release lost between nodes).
/// </summary>
public sealed partial class OrderedDeliverySweeper(IDocumentStore store, IWolverineRuntime runtime, ILogger<OrderedDeliverySweeper> logger)
    : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var session = store.QuerySession();
                var held = await session.Query<Delivery>()
                    .Where(d => d.Status == DeliveryStatus.Pending && d.HeldBehind != null)
                    .Select(d => new HeldDelivery(d.WebhookId, d.CustomerId!.Value))
                    .Take(1000).ToListAsync(stoppingToken);
                var bus = new MessageBus(runtime);
                foreach (var lane in held.Distinct()) await bus.PublishAsync(new ReleaseOrderedDelivery(lane.WebhookId, lane.CustomerId));
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogSweepFailed(logger, e);
            }
        }
    }

    private sealed record HeldDelivery(Guid WebhookId, Guid CustomerId);

    [LoggerMessage(LogLevel.Warning, "Looking for held ordered deliveries failed; trying again shortly")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}

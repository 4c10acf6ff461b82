using Ellity.Customers.Contracts;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Wolverine.Marten.Subscriptions;

namespace Ellity.Customers.Publishing;

/// <summary>
/// Turns committed customer events into integration events and hands them to the modules that subscribe
/// (<see cref="ICustomerEventSubscriber"/>). It runs as a durable Marten subscription: the messages the subscribers
/// return join Wolverine's outbox in the same transaction that records the subscription's progress, so an event
/// committed is its consequences queued, even if the process dies in between.
/// </summary>
public sealed class PublishCustomerEvents : BatchSubscription
{
    public const string Name = "customers-integration-events";

    /// <summary>The W3C trace context of the request that appended an event, kept in the event's headers.</summary>
    public const string TraceHeader = "traceparent";

    private readonly ICustomerEventSubscriber[] _subscribers;

    public PublishCustomerEvents(IEnumerable<ICustomerEventSubscriber> subscribers) : base(Name)
    {
        _subscribers = [.. subscribers];
        IncludeType<CustomerRegistered>();
        IncludeType<CreditChanged>();
        IncludeType<TierChanged>();
        IncludeType<GroupChanged>();
        IncludeType<CustomerPersonalDataErased>();
    }

    public override async Task ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, IMessageBus bus, CancellationToken cancellationToken)
    {
        // Each event must carry the customer as it was right after it, not as it is now. The customer's document is
        // folded up to the newest event of its stream; walking back from it (Customer.Unfold) through the events after
        // the page, then through the page's own, gives the state after each of them. What it reads grows with how far the
        // subscription is behind, never with the length of a customer's history. One round trip for the documents, one
        // for the events appended since the page, if any.
        var inPage = page.Events.GroupBy(e => e.StreamId).ToDictionary(g => g.Key, g => g.OrderBy(e => e.Version).ToList());
        var current = (await operations.LoadManyAsync<Customer>(cancellationToken, inPage.Keys)).ToDictionary(c => c.Id);
        var reads = operations.CreateBatchQuery();
        var since = new Dictionary<Guid, Task<IReadOnlyList<IEvent>>>();
        foreach (var (id, events) in inPage)
        {
            var last = events[^1].Version;
            if (current.TryGetValue(id, out var now) && now.Version > last)
                since[id] = reads.Events.FetchStream(id, now.Version, fromVersion: last + 1);
        }
        if (since.Count > 0) await reads.Execute(cancellationToken);

        var states = new Dictionary<Guid, Dictionary<long, Customer>>();
        foreach (var (id, events) in inPage)
            states[id] = await StatesAfter(operations, id, events, current.GetValueOrDefault(id),
                since.TryGetValue(id, out var later) ? await later : [], cancellationToken);
        // In commit order, as the page has them.
        var published = page.Events.Select(e => ToIntegrationEvent(e, states[e.StreamId][e.Version]))
            .OfType<ICustomerIntegrationEvent>().ToList();
        foreach (var subscriber in _subscribers)
        {
            foreach (var message in await subscriber.ReceiveAsync(published, cancellationToken))
                await bus.PublishAsync(message);
        }
    }

    /// <summary>
    /// The customer after each of <paramref name="events"/> (one stream's, in order), walked back from <paramref name="now"/>
    /// through <paramref name="later"/>, the events after them. Should the document not line up with the events (it is
    /// missing, or older than they are), the stream is folded from its start instead.
    /// </summary>
    private static async Task<Dictionary<long, Customer>> StatesAfter(IDocumentOperations operations, Guid id, List<IEvent> events,
        Customer? now, IReadOnlyList<IEvent> later, CancellationToken ct)
    {
        var states = new Dictionary<long, Customer>();
        var last = events[^1].Version;
        // The events since the page are those from the next version to the document's: all there, or the walk cannot start.
        if (now is not null && now.Version == last + later.Count)
        {
            Customer? state = now;
            foreach (var e in later.Reverse()) state = state is null ? null : Customer.Unfold(state, e.Data);
            for (var i = events.Count - 1; i >= 0 && state is not null; i--)
            {
                states[events[i].Version] = state;
                state = Customer.Unfold(state, events[i].Data);
            }
            if (states.Count == events.Count) return states;
            states.Clear();
        }
        Customer? folded = null;
        foreach (var e in await operations.Events.FetchStreamAsync(id, last, token: ct))
        {
            folded = Customer.Fold(folded, e.Data);
            states[e.Version] = folded;
        }
        return states;
    }

    public static ICustomerIntegrationEvent? ToIntegrationEvent(IEvent e, Customer after)
    {
        var trace = e.GetHeader(TraceHeader)?.ToString();
        return e.Data switch
        {
            CustomerRegistered => new CustomerRegisteredIntegrationEvent(e.Id, e.Timestamp, after.ToSnapshot(), trace),
            CreditChanged c => new CustomerCreditChangedIntegrationEvent(e.Id, e.Timestamp, after.ToSnapshot(), c.Value, c.Reason, trace),
            TierChanged t => new CustomerTierChangedIntegrationEvent(e.Id, e.Timestamp, after.ToSnapshot(), t.PreviousTier, trace),
            GroupChanged g => new CustomerGroupChangedIntegrationEvent(e.Id, e.Timestamp, after.ToSnapshot(), g.PreviousGroup, trace),
            CustomerPersonalDataErased => new CustomerPersonalDataErasedIntegrationEvent(e.Id, e.Timestamp, after.ToSnapshot(), trace),
            _ => null,
        };
    }
}

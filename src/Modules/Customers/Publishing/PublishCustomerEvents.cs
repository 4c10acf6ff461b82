using System.Diagnostics;
using Ellity.Customers.Contracts;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Wolverine;
using Wolverine.Marten.Subscriptions;

namespace Ellity.Customers.Publishing;

/// <summary>
/// Turns committed customer events into integration events. It runs as a durable Marten
/// subscription: the messages it publishes join Wolverine's outbox in the same transaction that
/// records the subscription's progress, so an event committed is an integration event published,
/// even if the process dies in between.
/// </summary>
public sealed class PublishCustomerEvents : BatchSubscription
{
    public const string Name = "customers-integration-events";

    /// <summary>The W3C trace context of the request that appended an event, kept in the event's headers.</summary>
    public const string TraceHeader = "traceparent";

    public static readonly ActivitySource Source = new("Ellity.Customers");

    public PublishCustomerEvents() : base(Name)
    {
        IncludeType<CustomerRegistered>();
        IncludeType<CreditChanged>();
        IncludeType<TierChanged>();
        IncludeType<GroupChanged>();
        IncludeType<CustomerPersonalDataErased>();
    }

    public override async Task ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, IMessageBus bus, CancellationToken cancellationToken)
    {
        // Each event must carry the customer as it was right after it, not as it is now: fold each
        // stream once up to the newest event of this page and publish at every version in the page.
        // All the page's streams are read in one round trip.
        var reads = operations.CreateBatchQuery();
        var streams = page.Events.GroupBy(e => e.StreamId)
            .Select(inPage => (InPage: inPage.ToDictionary(e => e.Version),
                History: reads.Events.FetchStream(inPage.Key, inPage.Max(e => e.Version))))
            .ToList();
        await reads.Execute(cancellationToken);

        foreach (var (inPage, fetch) in streams)
        {
            Customer? customer = null;
            foreach (var e in await fetch)
            {
                customer = Customer.Fold(customer, e.Data);
                if (inPage.ContainsKey(e.Version) && ToIntegrationEvent(e, customer) is { } message)
                {
                    // Continue the trace of the request that committed the event, so one trace runs
                    // from the customer command to the webhook's HTTP attempt.
                    using var activity = ActivityContext.TryParse(message.TraceParent, null, out var parent)
                        ? Source.StartActivity("publish " + e.EventTypeName, ActivityKind.Producer, parent)
                        : null;
                    await bus.PublishAsync(message);
                }
            }
        }
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

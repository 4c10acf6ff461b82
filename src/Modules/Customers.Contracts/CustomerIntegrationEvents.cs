namespace Ellity.Customers.Contracts;

/// <summary>A named reference such as a customer group or a VIP tier.</summary>
public sealed record NamedRef(string Id, string Name);

/// <summary>The customer exactly as it was right after the event that carries it.</summary>
public sealed record CustomerSnapshot(
    Guid Id,
    string EshopId,
    string Email,
    decimal Credit,
    NamedRef? Group,
    NamedRef? Tier);

/// <summary>
/// What every customer integration event carries: the id and commit time of the domain event
/// it was published for, the customer right after it, and the W3C trace context of the request
/// that committed it (when there was one), so work it causes later, even batched, joins that trace.
/// </summary>
public interface ICustomerIntegrationEvent
{
    Guid EventId { get; }
    DateTimeOffset OccurredAt { get; }
    CustomerSnapshot Customer { get; }
    string? TraceParent { get; }
}

public sealed record CustomerRegisteredIntegrationEvent(
    Guid EventId, DateTimeOffset OccurredAt, CustomerSnapshot Customer, string? TraceParent = null) : ICustomerIntegrationEvent;

public sealed record CustomerCreditChangedIntegrationEvent(
    Guid EventId, DateTimeOffset OccurredAt, CustomerSnapshot Customer,
    decimal Value, string? Reason, string? TraceParent = null) : ICustomerIntegrationEvent;

public sealed record CustomerTierChangedIntegrationEvent(
    Guid EventId, DateTimeOffset OccurredAt, CustomerSnapshot Customer,
    NamedRef? PreviousTier, string? TraceParent = null) : ICustomerIntegrationEvent;

public sealed record CustomerGroupChangedIntegrationEvent(
    Guid EventId, DateTimeOffset OccurredAt, CustomerSnapshot Customer,
    NamedRef? PreviousGroup, string? TraceParent = null) : ICustomerIntegrationEvent;

/// <summary>
/// The customer's personal data was erased: every module must mask what it stored of it and stop
/// sending anything that happened before <see cref="OccurredAt"/>.
/// </summary>
public sealed record CustomerPersonalDataErasedIntegrationEvent(
    Guid EventId, DateTimeOffset OccurredAt, CustomerSnapshot Customer, string? TraceParent = null) : ICustomerIntegrationEvent;

/// <summary>
/// A module that reacts to customer events inside the transaction that publishes them. The publishing subscription hands
/// it each page of events, in commit order, and publishes the messages it returns (to the module's own durable queues)
/// in the same transaction that records its progress: a committed customer event is the subscriber's messages queued,
/// even if the process dies, with no message in between. What a subscriber does here delays every subscriber's events,
/// so it should read little and leave slow work to the messages it returns. An exception stops the subscription and the
/// page is handed over again, so a subscriber should not let one bad event throw.
/// </summary>
public interface ICustomerEventSubscriber
{
    Task<IReadOnlyList<object>> ReceiveAsync(IReadOnlyList<ICustomerIntegrationEvent> events, CancellationToken ct);
}

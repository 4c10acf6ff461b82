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

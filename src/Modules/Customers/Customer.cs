using Ellity.Customers.Contracts;

namespace Ellity.Customers;

public sealed record CustomerRegistered(
    Guid CustomerId, string EshopId, string Email, decimal Credit, NamedRef? Group, NamedRef? Tier);

public sealed record CreditChanged(decimal Value, string? Reason, decimal BalanceAfter);

public sealed record TierChanged(NamedRef? Tier, NamedRef? PreviousTier);

public sealed record GroupChanged(NamedRef? Group, NamedRef? PreviousGroup);

/// <summary>The customer's personal data was erased on request; earlier events had it masked in place.</summary>
public sealed record CustomerPersonalDataErased(DateTimeOffset At);

/// <summary>
/// A customer of one e-shop, folded from its event stream. Immutable: Apply returns a new
/// state, so deciding what to emit never mutates the aggregate Marten hands us.
/// </summary>
public sealed partial record Customer(
    Guid Id, string EshopId, string Email, decimal Credit, NamedRef? Group, NamedRef? Tier,
    DateTimeOffset? PersonalDataErasedAt = null)
{
    /// <summary>The version of the customer's stream this state was folded at; Marten sets it on the inline document.</summary>
    public long Version { get; set; }

    /// <summary>What stands in for an erased e-mail, in the customer and in every event that carried it.</summary>
    public const string ErasedEmail = "erased";

    public static Customer Create(CustomerRegistered e) =>
        new(e.CustomerId, e.EshopId, e.Email, e.Credit, e.Group, e.Tier);

    public Customer Apply(CreditChanged e) => this with { Credit = e.BalanceAfter };

    public Customer Apply(TierChanged e) => this with { Tier = e.Tier };

    public Customer Apply(GroupChanged e) => this with { Group = e.Group };

    public Customer Apply(CustomerPersonalDataErased e) => this with { Email = ErasedEmail, PersonalDataErasedAt = e.At };

    /// <summary>
    /// The customer just before <paramref name="event"/>, from the customer just after it: every change carries what it
    /// replaced (the balance before is the balance after less the amount), so the state after any event can be found by
    /// walking back from the newest document, whatever the length of the history. Null before the registration. An erasure
    /// keeps the e-mail erased: the events before it were masked in place, so the forward fold gives the same.
    /// </summary>
    public static Customer? Unfold(Customer after, object @event) => @event switch
    {
        CustomerRegistered => null,
        CreditChanged e => after with { Credit = e.BalanceAfter - e.Value, Version = after.Version - 1 },
        TierChanged e => after with { Tier = e.PreviousTier, Version = after.Version - 1 },
        GroupChanged e => after with { Group = e.PreviousGroup, Version = after.Version - 1 },
        CustomerPersonalDataErased => after with { PersonalDataErasedAt = null, Version = after.Version - 1 },
        _ => after with { Version = after.Version - 1 },
    };

    public static Customer Fold(Customer? state, object @event) => @event switch
    {
        CustomerRegistered e => Create(e),
        CreditChanged e => Required(state).Apply(e),
        TierChanged e => Required(state).Apply(e),
        GroupChanged e => Required(state).Apply(e),
        CustomerPersonalDataErased e => Required(state).Apply(e),
        _ => Required(state),
    };

    public CustomerSnapshot ToSnapshot() => new(Id, EshopId, Email, Credit, Group, Tier);

    private static Customer Required(Customer? state) =>
        state ?? throw new InvalidOperationException("A customer stream must start with CustomerRegistered.");
}

/// <summary>The customer as the API shows it.</summary>
public sealed record CustomerResponse(
    Guid Id, string EshopId, string Email, decimal Credit, NamedRef? Group, NamedRef? Tier, DateTimeOffset? PersonalDataErasedAt)
{
    public static CustomerResponse From(Customer c) =>
        new(c.Id, c.EshopId, c.Email, c.Credit, c.Group, c.Tier, c.PersonalDataErasedAt);
}

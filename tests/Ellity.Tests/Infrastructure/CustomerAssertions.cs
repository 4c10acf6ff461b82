using System.Text.Json.Nodes;

namespace Ellity.Tests.Infrastructure;

/// <summary>A customer as the API answers it, read by the names of its JSON contract (see <see cref="ApiJson"/>).</summary>
public sealed record CustomerView(Guid Id, string Email, decimal Credit, NamedRefView? Group, NamedRefView? Tier,
    DateTimeOffset? PersonalDataErasedAt);

public sealed record NamedRefView(string Id, string Name);

/// <summary>A customer's balance after a credit change.</summary>
public sealed record CreditBalanceView(Guid CustomerId, decimal Balance);

/// <summary>The balances after a batch of credit changes, one per change, in order.</summary>
public sealed record CreditBalancesView(IReadOnlyList<CreditBalanceView> Balances);

public static class CustomerAssertions
{
    public static CustomerView AsCustomer(this JsonNode node) => node.ReadAs<CustomerView>();

    public static CreditBalanceView AsCreditBalance(this JsonNode node) => node.ReadAs<CreditBalanceView>();
}

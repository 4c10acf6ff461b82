namespace Ellity.Customers.Contracts;

/// <summary>
/// One page of an e-shop's customers, in the order of their ids: <see cref="Customers"/> as they were at the time asked
/// for, and <see cref="After"/>, the cursor to ask for the next page with, null after the last one. A page may hold fewer
/// customers than asked for, even none, and still not be the last: those registered later, or erased, are left out.
/// </summary>
public sealed record CustomerPage(IReadOnlyList<CustomerSnapshot> Customers, Guid? After);

/// <summary>
/// The Customers module's answer to "who are the e-shop's customers": what another module reads instead of its tables,
/// to send every customer's state somewhere (a resync). Customers whose personal data was erased are never in it.
/// </summary>
public interface ICustomerDirectory
{
    /// <summary>How many customers the e-shop has now, erased ones left out.</summary>
    Task<int> CountAsync(string eshopId, CancellationToken ct);

    /// <summary>
    /// Up to <paramref name="limit"/> customers of the e-shop with ids after <paramref name="after"/> (from the first when
    /// null), each as it was at <paramref name="asOf"/>; one registered after that is left out.
    /// </summary>
    Task<CustomerPage> PageAsync(string eshopId, DateTimeOffset asOf, Guid? after, int limit, CancellationToken ct);
}

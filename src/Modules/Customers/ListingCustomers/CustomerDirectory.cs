using Ellity.Customers.Contracts;
using Marten.Linq.MatchesSql;

namespace Ellity.Customers.ListingCustomers;

/// <summary>
/// The e-shop's customers for other modules (see <see cref="ICustomerDirectory"/>). A page is read from the customers'
/// current documents in id order (an index range scan on the e-shop and the id), then walked back (<see cref="Customer.Unfold"/>)
/// through the events each one had after the time asked for, in one more round trip: what it reads grows with the page and
/// with what changed since, never with the length of a customer's history.
/// </summary>
public sealed class CustomerDirectory(IDocumentStore store) : ICustomerDirectory
{
    public async Task<int> CountAsync(string eshopId, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.Query<Customer>().CountAsync(c => c.EshopId == eshopId && c.PersonalDataErasedAt == null, ct);
    }

    public async Task<CustomerPage> PageAsync(string eshopId, DateTimeOffset asOf, Guid? after, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var session = store.QuerySession();
        // Marten's LINQ has no "greater than" for ids: that part of the filter is SQL on the id column.
        var now = await session.Query<Customer>()
            .Where(c => c.EshopId == eshopId && c.MatchesSql("d.id > ?", after ?? Guid.Empty))
            .OrderBy(c => c.EshopId).ThenBy(c => c.Id).Take(limit).ToListAsync(ct);
        if (now.Count == 0) return new([], null);
        var ids = now.Select(c => c.Id).ToArray();
        var later = (await session.Events.QueryAllRawEvents()
                .Where(e => e.StreamId.IsOneOf(ids) && e.Timestamp > asOf)
                .ToListAsync(ct))
            .ToLookup(e => e.StreamId);
        var customers = new List<CustomerSnapshot>(now.Count);
        foreach (var current in now)
        {
            if (current.PersonalDataErasedAt is not null) continue;
            Customer? state = current;
            foreach (var e in later[current.Id].OrderByDescending(e => e.Version))
                state = state is null ? null : Customer.Unfold(state, e.Data);
            if (state is not null) customers.Add(state.ToSnapshot());
        }
        return new(customers, now.Count == limit ? now[^1].Id : null);
    }
}

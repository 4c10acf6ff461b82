using Ellity.Customers.Contracts;
using Ellity.Webhooks.Delivering;
using Marten;
using Wolverine.Attributes;

namespace Ellity.Webhooks.Erasing;

/// <summary>A customer whose personal data was erased at <see cref="ErasedAt"/>: nothing that happened before is sent any more.</summary>
public sealed record ErasedCustomer(Guid Id, string EshopId, DateTimeOffset ErasedAt);

/// <summary>
/// The Webhooks module's part of erasing a customer's personal data: every delivery made for the
/// customer loses its content (events masked in place, erasure recorded in its stream), and
/// deliveries still pending end as failed rather than send erased content.
/// </summary>
[WolverineHandler]
public static class ErasePersonalDataHandler
{
    public const string Reason = "The customer's personal data was erased.";

    public static async Task Handle(CustomerPersonalDataErasedIntegrationEvent e, IDocumentStore store, CancellationToken ct)
    {
        await using (var session = store.LightweightSession())
        {
            session.Store(new ErasedCustomer(e.Customer.Id, e.Customer.EshopId, e.OccurredAt));
            await session.SaveChangesAsync(ct);
        }

        await DeliveryContent.EraseAllAsync(store,
            d => d.CustomerId == e.Customer.Id && d.EshopId == e.Customer.EshopId, Reason, endPending: true, ct);
    }
}

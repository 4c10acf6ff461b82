using Ellity.Customers.Contracts;
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

    /// <summary>
    /// How long after the erasure its deliveries are erased again. A first attempt under way writes its delivery's stream
    /// only with its outcome; one that read the customer as not erased just before the erasure may commit just after the
    /// first pass, and this pass catches it.
    /// </summary>
    public static readonly TimeSpan AgainAfter = TimeSpan.FromMinutes(1);

    public static async Task<DeliveryMessage<EraseCustomerDeliveries>> Handle(CustomerPersonalDataErasedIntegrationEvent e, IDocumentStore store,
        CancellationToken ct)
    {
        await using (var session = store.LightweightSession())
        {
            session.Store(new ErasedCustomer(e.Customer.Id, e.Customer.EshopId, e.OccurredAt));
            await session.SaveChangesAsync(ct);
        }

        var again = new EraseCustomerDeliveries(e.Customer.Id, e.Customer.EshopId);
        await Handle(again, store, ct);
        return again.DelayedFor(AgainAfter);
    }

    public static Task Handle(EraseCustomerDeliveries command, IDocumentStore store, CancellationToken ct) =>
        DeliveryContent.EraseAllAsync(store, d => d.CustomerId == command.CustomerId && d.EshopId == command.EshopId, Reason, endPending: true, ct);
}

/// <summary>Erase the content of every delivery made for a customer whose personal data was erased, and end the pending ones.</summary>
public sealed record EraseCustomerDeliveries(Guid CustomerId, string EshopId);

using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine;
using Wolverine.Http;

namespace Ellity.Customers.ErasingPersonalData;

/// <summary>Mask the personal data in every event of a customer's stream (durable, so a crash cannot skip it).</summary>
public sealed record MaskCustomerEvents(Guid CustomerId);

/// <summary>
/// The right to erasure: the customer's e-mail is masked in place in every event of their stream,
/// the erasure itself is recorded as an event, and the Webhooks module is told (through the usual
/// integration event) to mask what it sent. The customer's loyalty account (credit, group, tier)
/// and the audit trail's facts stay.
/// </summary>
public static class ErasePersonalDataEndpoint
{
    public static IReadOnlyList<CustomerPersonalDataErased> Decide(Customer customer, DateTimeOffset now) =>
        customer.PersonalDataErasedAt is null ? [new CustomerPersonalDataErased(now)] : [];

    [WolverineDelete("/api/eshops/{eshopId}/customers/{customerId}/personal-data"), Tags("Customers"), DisableRateLimiting]
    public static async Task<(Results<Accepted<CustomerResponse>, ProblemHttpResult>, OutgoingMessages)> Delete(
        string eshopId, Guid customerId, IDocumentSession session, CancellationToken ct)
    {
        var messages = new OutgoingMessages();
        var stream = await CustomerValidation.FetchForWriting(session, eshopId, customerId, ct);
        if (stream is null) return (CustomerValidation.NotFound(customerId), messages);

        var customer = stream.Aggregate!;
        foreach (var erased in Decide(customer, DateTimeOffset.UtcNow))
        {
            stream.AppendOne(erased);
            customer = customer.Apply(erased);
        }
        // Asked again, the masking runs again: harmless, and it finishes a run a crash interrupted.
        messages.Add(new MaskCustomerEvents(customerId));
        return (TypedResults.Accepted($"/api/eshops/{eshopId}/customers/{customerId}", CustomerResponse.From(customer)), messages);
    }
}

public static class MaskCustomerEventsHandler
{
    public static Task Handle(MaskCustomerEvents command, IDocumentStore store, CancellationToken ct) =>
        store.Advanced.ApplyEventDataMasking(x => x.IncludeStream(command.CustomerId), ct);
}

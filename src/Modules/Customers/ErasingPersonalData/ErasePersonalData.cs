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
    public static ProblemDetails Validate(Customer? customer, string eshopId, Guid customerId) =>
        CustomerValidation.Found(customer, eshopId, customerId);

    public static Events Decide(Customer customer, DateTimeOffset now) =>
        customer.PersonalDataErasedAt is null ? [new CustomerPersonalDataErased(now)] : [];

    /// <summary>202: the customer's own data is masked by the time it answers, what was sent of it is masked after.</summary>
    [WolverineDelete("/api/eshops/{eshopId}/customers/{customerId}/personal-data"), Tags("Customers"), DisableRateLimiting]
    public static (Accepted<CustomerResponse>, Events, OutgoingMessages) Delete(string eshopId,
        [WriteAggregate(Required = false, LoadStyle = ConcurrencyStyle.Exclusive)] Customer? customer)
    {
        var events = Decide(customer!, DateTimeOffset.UtcNow);
        var after = events.OfType<CustomerPersonalDataErased>().Aggregate(customer!, (c, e) => c.Apply(e));
        // Asked again, the masking runs again: harmless, and it finishes a run a crash interrupted.
        return (TypedResults.Accepted($"/api/eshops/{eshopId}/customers/{after.Id}", CustomerResponse.From(after)), events,
            [new MaskCustomerEvents(after.Id)]);
    }
}

public static class MaskCustomerEventsHandler
{
    public static Task Handle(MaskCustomerEvents command, IDocumentStore store, CancellationToken ct) =>
        store.Advanced.ApplyEventDataMasking(x => x.IncludeStream(command.CustomerId), ct);
}

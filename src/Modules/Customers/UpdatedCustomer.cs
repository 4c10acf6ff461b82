using JasperFx.CodeGeneration.Frames;
using Wolverine.Attributes;
using Wolverine.Configuration;

namespace Ellity.Customers;

/// <summary>
/// Returned by a write endpoint with the events it appends to a customer's stream: the response is the customer as Marten
/// folded it with them, read after the commit (as Wolverine's own UpdatedAggregate does).
/// </summary>
public sealed class UpdatedCustomer : IResponseAware
{
    public static void ConfigureResponse(IChain chain)
    {
        if (!chain.TryFindVariable("customerId", ValueSource.RouteValue, typeof(Guid), out var customerId))
            throw new InvalidOperationException($"{chain} returns UpdatedCustomer but has no {{customerId}} in its route.");
        var read = new MethodCall(typeof(UpdatedCustomer), nameof(ReadAsync));
        read.Arguments[1] = customerId;
        chain.UseForResponse(read);
    }

    public static async Task<CustomerResponse> ReadAsync(IDocumentSession session, Guid customerId, CancellationToken ct) =>
        CustomerResponse.From(await session.Events.FetchLatest<Customer>(customerId, ct)
            ?? throw new InvalidOperationException($"Customer {customerId} vanished after its change was committed."));
}

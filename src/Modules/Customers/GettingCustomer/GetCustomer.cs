namespace Ellity.Customers.GettingCustomer;

public static class GetCustomerEndpoint
{
    [WolverineGet("/api/eshops/{eshopId}/customers/{customerId}"), Tags("Customers")]
    public static async Task<Results<Ok<CustomerResponse>, ProblemHttpResult>> Get(
        string eshopId, Guid customerId, IQuerySession session, CancellationToken ct)
    {
        var customer = await session.LoadAsync<Customer>(customerId, ct);
        return customer is not null && customer.EshopId == eshopId
            ? TypedResults.Ok(CustomerResponse.From(customer))
            : CustomerValidation.NotFound(customerId);
    }
}

using Ellity.Customers.Contracts;
using JasperFx.Events;

namespace Ellity.Customers;

/// <summary>Input rules and lookups shared by the customer use cases.</summary>
internal static class CustomerValidation
{
    public const int MaxReasonLength = 500;
    public const int MaxRefLength = 100;
    public const decimal MaxAmount = 1_000_000_000m;

    public static void CheckRef(Dictionary<string, string[]> errors, string field, NamedRef? value)
    {
        if (value is null) return;
        if (string.IsNullOrWhiteSpace(value.Id) || value.Id.Length > MaxRefLength || HasControlChars(value.Id))
            errors[$"{field}.id"] = [$"Required, at most {MaxRefLength} characters, no control characters."];
        if (string.IsNullOrWhiteSpace(value.Name) || value.Name.Length > MaxRefLength || HasControlChars(value.Name))
            errors[$"{field}.name"] = [$"Required, at most {MaxRefLength} characters, no control characters."];
    }

    public static bool HasControlChars(string value) => value.Any(char.IsControl);

    /// <summary>Loads a customer only if it belongs to the e-shop in the path: another shop's id is a plain 404.</summary>
    public static async Task<IEventStream<Customer>?> FetchForWriting(
        IDocumentSession session, string eshopId, Guid customerId, CancellationToken ct)
    {
        // Exclusive: concurrent changes of one customer queue up instead of failing, since each builds on the balance before it.
        var stream = await session.Events.FetchForExclusiveWriting<Customer>(customerId, ct);
        return stream.Aggregate is { } c && c.EshopId == eshopId ? stream : null;
    }

    /// <summary>For an endpoint's Validate: no problem when the customer loaded for the route is this e-shop's.</summary>
    public static ProblemDetails Found(Customer? customer, string eshopId, Guid customerId) =>
        customer?.EshopId == eshopId ? WolverineContinue.NoProblems : NotFound(customerId).ProblemDetails;

    public static ProblemHttpResult NotFound(Guid customerId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Customer not found",
        detail: $"No customer {customerId} in this e-shop.");
}

using Ellity.Customers.Contracts;

namespace Ellity.Customers.ChangingTier;

/// <summary>The VIP tier to move the customer to.</summary>
public sealed record ChangeTier(string? Id, string? Name);

public static class ChangeTierEndpoint
{
    public static ProblemDetails Validate(ChangeTier? command, Customer? customer, string eshopId, Guid customerId)
    {
        var errors = new Dictionary<string, string[]>();
        CustomerValidation.CheckRef(errors, "tier", new NamedRef(command?.Id ?? "", command?.Name ?? ""));
        return errors.Count > 0 ? TypedResults.ValidationProblem(errors).ProblemDetails : CustomerValidation.Found(customer, eshopId, customerId);
    }

    /// <summary>Moving a customer to the tier it already has changes nothing and emits nothing.</summary>
    public static Events Decide(Customer customer, ChangeTier command)
    {
        var tier = new NamedRef(command.Id!, command.Name!);
        return tier == customer.Tier ? [] : [new TierChanged(tier, customer.Tier)];
    }

    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [WolverinePut("/api/eshops/{eshopId}/customers/{customerId}/tier"), Tags("Customers"), DisableRateLimiting]
    public static (UpdatedCustomer, Events) Put(ChangeTier? command,
        [WriteAggregate(Required = false, LoadStyle = ConcurrencyStyle.Exclusive)] Customer? customer) =>
        (new UpdatedCustomer(), Decide(customer!, command!));
}

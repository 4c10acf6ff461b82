using Ellity.Customers.Contracts;

namespace Ellity.Customers.ChangingGroup;

/// <summary>The customer group to move the customer to.</summary>
public sealed record ChangeGroup(string? Id, string? Name);

public static class ChangeGroupEndpoint
{
    public static ProblemDetails Validate(ChangeGroup? command, Customer? customer, string eshopId, Guid customerId)
    {
        var errors = new Dictionary<string, string[]>();
        CustomerValidation.CheckRef(errors, "group", new NamedRef(command?.Id ?? "", command?.Name ?? ""));
        return errors.Count > 0 ? TypedResults.ValidationProblem(errors).ProblemDetails : CustomerValidation.Found(customer, eshopId, customerId);
    }

    public static Events Decide(Customer customer, ChangeGroup command)
    {
        var group = new NamedRef(command.Id!, command.Name!);
        return group == customer.Group ? [] : [new GroupChanged(group, customer.Group)];
    }

    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [WolverinePut("/api/eshops/{eshopId}/customers/{customerId}/group"), Tags("Customers"), DisableRateLimiting]
    public static (UpdatedCustomer, Events) Put(ChangeGroup? command,
        [WriteAggregate(Required = false, LoadStyle = ConcurrencyStyle.Exclusive)] Customer? customer) =>
        (new UpdatedCustomer(), Decide(customer!, command!));
}

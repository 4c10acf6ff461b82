using Ellity.Customers.Contracts;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Http;

namespace Ellity.Customers.ChangingGroup;

/// <summary>The customer group to move the customer to.</summary>
public sealed record ChangeGroup(string? Id, string? Name);

public static class ChangeGroupEndpoint
{
    public static Dictionary<string, string[]> Check(ChangeGroup command)
    {
        var errors = new Dictionary<string, string[]>();
        CustomerValidation.CheckRef(errors, "group", new NamedRef(command.Id ?? "", command.Name ?? ""));
        return errors;
    }

    public static IReadOnlyList<GroupChanged> Decide(Customer customer, ChangeGroup command)
    {
        var group = new NamedRef(command.Id!, command.Name!);
        return group == customer.Group ? [] : [new GroupChanged(group, customer.Group)];
    }

    [WolverinePut("/api/eshops/{eshopId}/customers/{customerId}/group"), Tags("Customers"), DisableRateLimiting]
    public static async Task<Results<Ok<CustomerResponse>, ValidationProblem, ProblemHttpResult>> Put(
        string eshopId, Guid customerId, ChangeGroup? command, IDocumentSession session, CancellationToken ct)
    {
        command ??= new ChangeGroup(null, null);
        var errors = Check(command);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var stream = await CustomerValidation.FetchForWriting(session, eshopId, customerId, ct);
        if (stream is null) return CustomerValidation.NotFound(customerId);

        var customer = stream.Aggregate!;
        foreach (var changed in Decide(customer, command))
        {
            stream.AppendOne(changed);
            customer = customer.Apply(changed);
        }
        return TypedResults.Ok(CustomerResponse.From(customer));
    }
}

using Ellity.Customers.Contracts;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Http;

namespace Ellity.Customers.ChangingTier;

/// <summary>The VIP tier to move the customer to.</summary>
public sealed record ChangeTier(string? Id, string? Name);

public static class ChangeTierEndpoint
{
    public static Dictionary<string, string[]> Check(ChangeTier command)
    {
        var errors = new Dictionary<string, string[]>();
        CustomerValidation.CheckRef(errors, "tier", new NamedRef(command.Id ?? "", command.Name ?? ""));
        return errors;
    }

    /// <summary>Moving a customer to the tier it already has changes nothing and emits nothing.</summary>
    public static IReadOnlyList<TierChanged> Decide(Customer customer, ChangeTier command)
    {
        var tier = new NamedRef(command.Id!, command.Name!);
        return tier == customer.Tier ? [] : [new TierChanged(tier, customer.Tier)];
    }

    [WolverinePut("/api/eshops/{eshopId}/customers/{customerId}/tier"), Tags("Customers"), DisableRateLimiting]
    public static async Task<Results<Ok<CustomerResponse>, ValidationProblem, ProblemHttpResult>> Put(
        string eshopId, Guid customerId, ChangeTier? command, IDocumentSession session, CancellationToken ct)
    {
        command ??= new ChangeTier(null, null);
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

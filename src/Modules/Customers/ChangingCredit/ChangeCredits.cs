using JasperFx.Events;

namespace Ellity.Customers.ChangingCredit;

/// <summary>Many credit changes at once, as a nightly job (points expiring, a bonus campaign) makes them.</summary>
public sealed record ChangeCredits(IReadOnlyList<CreditChange?>? Changes);

public sealed record CreditChange(Guid? CustomerId, decimal? Value, string? Reason);

public sealed record CreditBalances(IReadOnlyList<CreditBalance> Balances);

public static class ChangeCreditsEndpoint
{
    /// <summary>The most changes one request may carry: one transaction, and a page of the subscription that publishes them.</summary>
    public const int MaxChanges = 500;

    public static Dictionary<string, string[]> Check(ChangeCredits command)
    {
        var errors = new Dictionary<string, string[]>();
        if (command.Changes is not { Count: > 0 and <= MaxChanges } changes)
        {
            errors["changes"] = [$"Between 1 and {MaxChanges} changes are required."];
            return errors;
        }
        for (var i = 0; i < changes.Count; i++)
        {
            if (changes[i] is not { } change)
            {
                errors[$"changes[{i}]"] = ["A change is required."];
                continue;
            }
            if (change.CustomerId is not { } customerId || customerId == Guid.Empty)
                errors[$"changes[{i}].customerId"] = ["A customer id is required."];
            foreach (var (field, messages) in ChangeCreditEndpoint.Check(new ChangeCredit(change.Value, change.Reason)))
                errors[$"changes[{i}].{field}"] = messages;
        }
        return errors;
    }

    /// <summary>The events, in the order given: a customer changed twice gets the second change on the balance after the first.</summary>
    public static List<(Guid CustomerId, CreditChanged Changed)> Decide(IReadOnlyDictionary<Guid, Customer> customers, IEnumerable<CreditChange> changes)
    {
        var balances = customers.ToDictionary(c => c.Key, c => c.Value);
        var decided = new List<(Guid, CreditChanged)>();
        foreach (var change in changes)
        {
            var id = change.CustomerId!.Value;
            var changed = ChangeCreditEndpoint.Decide(balances[id], new ChangeCredit(change.Value, change.Reason));
            balances[id] = balances[id].Apply(changed);
            decided.Add((id, changed));
        }
        return decided;
    }

    /// <summary>All the changes in one transaction, or none: a customer the e-shop does not have refuses the whole request.</summary>
    [WolverinePost("/api/eshops/{eshopId}/customers/credit-changes"), Tags("Customers"), DisableRateLimiting]
    public static async Task<Results<Ok<CreditBalances>, ValidationProblem>> Post(
        string eshopId, ChangeCredits? command, IDocumentSession session, CancellationToken ct)
    {
        command ??= new ChangeCredits(null);
        var errors = Check(command);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var changes = command.Changes!.Select(c => c!).ToList();

        // Each customer is locked as a single change locks it, in id order so that two batches cannot deadlock.
        var streams = new Dictionary<Guid, IEventStream<Customer>>();
        foreach (var id in changes.Select(c => c.CustomerId!.Value).Distinct().Order())
        {
            if (await CustomerValidation.FetchForWriting(session, eshopId, id, ct) is { } stream) streams[id] = stream;
        }
        for (var i = 0; i < changes.Count; i++)
        {
            if (!streams.ContainsKey(changes[i].CustomerId!.Value))
                errors[$"changes[{i}].customerId"] = [$"No customer {changes[i].CustomerId} in this e-shop."];
        }
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var decided = Decide(streams.ToDictionary(s => s.Key, s => s.Value.Aggregate!), changes);
        foreach (var (id, changed) in decided) streams[id].AppendOne(changed);
        return TypedResults.Ok(new CreditBalances([.. decided.Select(d => new CreditBalance(d.CustomerId, d.Changed.BalanceAfter))]));
    }
}

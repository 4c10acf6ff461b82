using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Http;

namespace Ellity.Customers.ChangingCredit;

public sealed record ChangeCredit(decimal? Value, string? Reason);

public sealed record CreditBalance(Guid CustomerId, decimal Balance);

public static class ChangeCreditEndpoint
{
    public static Dictionary<string, string[]> Check(ChangeCredit command)
    {
        var errors = new Dictionary<string, string[]>();
        if (command.Value is not { } value || value == 0 || Math.Abs(value) > CustomerValidation.MaxAmount)
            errors["value"] = [$"A non-zero amount between -{CustomerValidation.MaxAmount} and {CustomerValidation.MaxAmount} is required."];
        if (command.Reason is { } reason && (reason.Length > CustomerValidation.MaxReasonLength || CustomerValidation.HasControlChars(reason)))
            errors["reason"] = [$"At most {CustomerValidation.MaxReasonLength} characters, no control characters."];
        return errors;
    }

    public static CreditChanged Decide(Customer customer, ChangeCredit command) =>
        new(command.Value!.Value, command.Reason, customer.Credit + command.Value.Value);

    [WolverinePost("/api/eshops/{eshopId}/customers/{customerId}/credit"), Tags("Customers"), DisableRateLimiting]
    public static async Task<Results<Ok<CreditBalance>, ValidationProblem, ProblemHttpResult>> Post(
        string eshopId, Guid customerId, ChangeCredit? command, IDocumentSession session, CancellationToken ct)
    {
        command ??= new ChangeCredit(null, null);
        var errors = Check(command);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var stream = await CustomerValidation.FetchForWriting(session, eshopId, customerId, ct);
        if (stream is null) return CustomerValidation.NotFound(customerId);

        var changed = Decide(stream.Aggregate!, command);
        stream.AppendOne(changed);
        return TypedResults.Ok(new CreditBalance(customerId, changed.BalanceAfter));
    }
}

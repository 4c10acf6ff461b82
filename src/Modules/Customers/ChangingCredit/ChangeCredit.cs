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

    public static ProblemDetails Validate(ChangeCredit? command, Customer? customer, string eshopId, Guid customerId)
    {
        var errors = Check(command ?? new ChangeCredit(null, null));
        return errors.Count > 0 ? TypedResults.ValidationProblem(errors).ProblemDetails : CustomerValidation.Found(customer, eshopId, customerId);
    }

    public static CreditChanged Decide(Customer customer, ChangeCredit command) =>
        new(command.Value!.Value, command.Reason, customer.Credit + command.Value.Value);

    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [WolverinePost("/api/eshops/{eshopId}/customers/{customerId}/credit"), Tags("Customers"), DisableRateLimiting]
    public static (CreditBalance, Events) Post(ChangeCredit? command,
        [WriteAggregate(Required = false, LoadStyle = ConcurrencyStyle.Exclusive)] Customer? customer)
    {
        var changed = Decide(customer!, command!);
        return (new CreditBalance(customer!.Id, changed.BalanceAfter), [changed]);
    }
}

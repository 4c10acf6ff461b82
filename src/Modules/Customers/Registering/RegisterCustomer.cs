using Ellity.Customers.Contracts;

namespace Ellity.Customers.Registering;

public sealed record RegisterCustomer(string? Email, decimal? Credit, NamedRef? Group, NamedRef? Tier);

public static class RegisterCustomerEndpoint
{
    public const int MaxEmailLength = 254;

    /// <summary>The e-shop in the route is a registered one: access control lets no other through.</summary>
    public static Dictionary<string, string[]> Check(RegisterCustomer command)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(command.Email) || command.Email.Length > MaxEmailLength
            || !command.Email.Contains('@') || CustomerValidation.HasControlChars(command.Email))
            errors["email"] = [$"An e-mail address of at most {MaxEmailLength} characters is required."];
        if (command.Credit is { } credit && (credit < 0 || credit > CustomerValidation.MaxAmount))
            errors["credit"] = [$"The opening credit must be between 0 and {CustomerValidation.MaxAmount}."];
        CustomerValidation.CheckRef(errors, "group", command.Group);
        CustomerValidation.CheckRef(errors, "tier", command.Tier);
        return errors;
    }

    public static CustomerRegistered Decide(string eshopId, RegisterCustomer command, Guid customerId) =>
        new(customerId, eshopId, command.Email!.Trim(), command.Credit ?? 0m, command.Group, command.Tier);

    public static ProblemDetails Validate(RegisterCustomer? command)
    {
        // A JSON null body is treated as an empty object: every required field is then reported.
        var errors = Check(command ?? new RegisterCustomer(null, null, null, null));
        return errors.Count > 0 ? TypedResults.ValidationProblem(errors).ProblemDetails : WolverineContinue.NoProblems;
    }

    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [WolverinePost("/api/eshops/{eshopId}/customers"), Tags("Customers"), DisableRateLimiting]
    public static (Created<CustomerResponse>, IStartStream) Post(string eshopId, RegisterCustomer? command)
    {
        var registered = Decide(eshopId, command!, Guid.CreateVersion7());
        return (TypedResults.Created($"/api/eshops/{eshopId}/customers/{registered.CustomerId}", CustomerResponse.From(Customer.Create(registered))),
            MartenOps.StartStream<Customer>(registered.CustomerId, registered));
    }
}

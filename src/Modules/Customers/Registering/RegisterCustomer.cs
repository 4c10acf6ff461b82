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

    [WolverinePost("/api/eshops/{eshopId}/customers"), Tags("Customers"), DisableRateLimiting]
    public static Results<Created<CustomerResponse>, ValidationProblem> Post(
        string eshopId, RegisterCustomer? command, IDocumentSession session)
    {
        // A JSON null body is treated as an empty object: every required field is then reported.
        command ??= new RegisterCustomer(null, null, null, null);
        var errors = Check(command);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var registered = Decide(eshopId, command, Guid.CreateVersion7());
        session.Events.StartStream<Customer>(registered.CustomerId, registered);
        return TypedResults.Created(
            $"/api/eshops/{eshopId}/customers/{registered.CustomerId}",
            CustomerResponse.From(Customer.Create(registered)));
    }
}

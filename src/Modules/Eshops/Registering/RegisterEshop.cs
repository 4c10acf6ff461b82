using Microsoft.AspNetCore.Authorization;

namespace Ellity.Eshops.Registering;

public sealed record RegisterEshop(string? EshopId, string? Name);

public static class RegisterEshopEndpoint
{
    public static Dictionary<string, string[]> Check(RegisterEshop command)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Eshop.IsValidId(command.EshopId)) errors["eshopId"] = [Eshop.IdRule];
        if (string.IsNullOrWhiteSpace(command.Name) || command.Name.Length > 200 || command.Name.Any(char.IsControl))
            errors["name"] = ["A name of 1-200 characters without control characters is required."];
        return errors;
    }

    public static async Task<ProblemDetails> ValidateAsync(RegisterEshop? command, IDocumentSession session, CancellationToken ct)
    {
        var errors = Check(command ?? new RegisterEshop(null, null));
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors).ProblemDetails;
        return await session.LoadAsync<Eshop>(Eshop.StreamIdFor(command!.EshopId!), ct) is null
            ? WolverineContinue.NoProblems
            : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "E-shop exists",
                detail: $"E-shop '{command.EshopId}' is already registered; rotate its key to get a new one.").ProblemDetails;
    }

    /// <summary>Registers an e-shop and returns its API key once. It starts with no features: it adds Webhooks itself.</summary>
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [WolverinePost("/api/eshops"), Tags("E-shops"), Authorize(Policy = EshopPolicies.Operator)]
    public static (Created<EshopWithKeyResponse>, IStartStream) Post(RegisterEshop? command)
    {
        var key = ApiKeys.New();
        var registered = new EshopRegistered(Eshop.StreamIdFor(command!.EshopId!), command.EshopId!, command.Name!.Trim(), ApiKeys.Hash(key),
            DateTimeOffset.UtcNow, Features: []);
        return (TypedResults.Created($"/api/eshops/{registered.EshopId}", new EshopWithKeyResponse(registered.EshopId, registered.Name, registered.At, key)),
            MartenOps.StartStream<Eshop>(registered.StreamId, registered));
    }
}

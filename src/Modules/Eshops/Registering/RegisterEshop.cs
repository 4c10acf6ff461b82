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

    /// <summary>Registers an e-shop and returns its API key once.</summary>
    [WolverinePost("/api/eshops"), Tags("E-shops"), Authorize(Policy = EshopPolicies.Operator)]
    public static async Task<Results<Created<EshopWithKeyResponse>, ValidationProblem, ProblemHttpResult>> Post(
        RegisterEshop? command, IDocumentSession session, CancellationToken ct)
    {
        command ??= new RegisterEshop(null, null);
        var errors = Check(command);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var streamId = Eshop.StreamIdFor(command.EshopId!);
        if (await session.LoadAsync<Eshop>(streamId, ct) is not null)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "E-shop exists",
                detail: $"E-shop '{command.EshopId}' is already registered; rotate its key to get a new one.");

        var key = ApiKeys.New();
        var registered = new EshopRegistered(streamId, command.EshopId!, command.Name!.Trim(), ApiKeys.Hash(key), DateTimeOffset.UtcNow);
        session.Events.StartStream<Eshop>(streamId, registered);
        return TypedResults.Created($"/api/eshops/{registered.EshopId}",
            new EshopWithKeyResponse(registered.EshopId, registered.Name, registered.At, key));
    }
}

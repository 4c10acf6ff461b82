namespace Ellity.Eshops.RotatingKeys;

public static class RotateApiKeyEndpoint
{
    [WolverinePost("/api/eshops/{eshopId}/api-keys/rotate"), Tags("E-shops"), EnableRateLimiting(EshopPolicies.KeyRotation)]
    public static async Task<Results<Ok<EshopWithKeyResponse>, ProblemHttpResult>> Post(
        string eshopId, IDocumentSession session, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Eshop>(Eshop.StreamIdFor(eshopId), ct);
        if (stream.Aggregate is not { } eshop)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "E-shop not found");

        var key = ApiKeys.New();
        stream.AppendOne(new ApiKeyRotated(ApiKeys.Hash(key), DateTimeOffset.UtcNow));
        return TypedResults.Ok(new EshopWithKeyResponse(eshop.EshopId, eshop.Name, eshop.CreatedAt, key));
    }
}

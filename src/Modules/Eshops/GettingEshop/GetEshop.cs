namespace Ellity.Eshops.GettingEshop;

public static class GetEshopEndpoint
{
    [WolverineGet("/api/eshops/{eshopId}"), Tags("E-shops")]
    public static async Task<Results<Ok<EshopResponse>, ProblemHttpResult>> Get(string eshopId, IQuerySession session, CancellationToken ct) =>
        await session.LoadAsync<Eshop>(Eshop.StreamIdFor(eshopId), ct) is { } eshop
            ? TypedResults.Ok(new EshopResponse(eshop.EshopId, eshop.Name, eshop.CreatedAt))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "E-shop not found");
}

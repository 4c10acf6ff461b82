namespace Ellity.Eshops.GettingEshop;

public static class GetEshopEndpoint
{
    [WolverineGet("/api/eshops/{eshopId}"), Tags("E-shops")]
    public static async Task<Results<Ok<EshopResponse>, ProblemHttpResult>> Get(string eshopId, IQuerySession session, CancellationToken ct)
    {
        var reads = session.CreateBatchQuery();
        var eshop = reads.Load<Eshop>(Eshop.StreamIdFor(eshopId));
        var loaded = reads.Load<EshopFeatures>(Eshop.StreamIdFor(eshopId));
        await reads.Execute(ct);
        var features = await loaded;
        return await eshop is { } found
            ? TypedResults.Ok(new EshopResponse(found.EshopId, found.Name, found.CreatedAt,
                [.. EshopFeature.All.Where(f => EshopFeatures.Has(features, f))]))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "E-shop not found");
    }
}

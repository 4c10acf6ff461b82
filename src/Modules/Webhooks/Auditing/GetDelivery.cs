namespace Ellity.Webhooks.Auditing;

public static class GetDeliveryEndpoint
{
    /// <summary>The delivery now, or as it was at <c>asOf</c> (a version of its stream or a time), folded from its events.</summary>
    [WolverineGet("/api/eshops/{eshopId}/deliveries/{deliveryId}"), Tags("Deliveries"), KeptWithoutWebhooksFeature]
    public static async Task<Results<Ok<DeliveryResponse>, ValidationProblem, ProblemHttpResult>> Get(
        string eshopId, Guid deliveryId, string? asOf, IQuerySession session, CancellationToken ct)
    {
        if (!AsOf.TryParse(asOf, out var point))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["asOf"] = [AsOf.Rule] });
        if (await DeliveryLookup.Load(session, eshopId, deliveryId, ct) is not { } delivery) return DeliveryLookup.NotFound(deliveryId);
        if (point is null) return TypedResults.Ok(DeliveryResponse.From(delivery));
        return await point.AggregateAsync<Delivery>(session, deliveryId, ct) is { } past
            ? TypedResults.Ok(DeliveryResponse.From(past))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Delivery not found",
                detail: $"Delivery {deliveryId} did not exist yet at {asOf}.");
    }
}

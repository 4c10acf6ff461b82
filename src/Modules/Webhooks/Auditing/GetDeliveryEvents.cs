namespace Ellity.Webhooks.Auditing;

public sealed record DeliveryEventResponse(long Version, string Type, DateTimeOffset Timestamp, object Data);

public static class GetDeliveryEventsEndpoint
{
    /// <summary>The delivery's raw event stream, as an auditor would replay it.</summary>
    [WolverineGet("/api/eshops/{eshopId}/deliveries/{deliveryId}/events"), Tags("Deliveries"), KeptWithoutWebhooksFeature]
    public static async Task<Results<Ok<IReadOnlyList<DeliveryEventResponse>>, ProblemHttpResult>> GetEvents(
        string eshopId, Guid deliveryId, IQuerySession session, CancellationToken ct)
    {
        if (await DeliveryLookup.Load(session, eshopId, deliveryId, ct) is null) return DeliveryLookup.NotFound(deliveryId);
        var events = await session.Events.FetchStreamAsync(deliveryId, token: ct);
        return TypedResults.Ok<IReadOnlyList<DeliveryEventResponse>>(events
            .Select(e => new DeliveryEventResponse(e.Version, e.EventTypeName, e.Timestamp, e.Data))
            .ToList());
    }
}

namespace Ellity.Webhooks.Auditing;

/// <summary>The delivery log of a whole e-shop (see <see cref="DeliverySearch"/>).</summary>
public static class SearchDeliveriesEndpoint
{
    [WolverineGet("/api/eshops/{eshopId}/deliveries"), Tags("Deliveries"), KeptWithoutWebhooksFeature]
    public static async Task<Results<Ok<DeliveryPage>, ValidationProblem>> Get(
        string eshopId, string? status, string? trigger, int? statusCode, DateTimeOffset? from, DateTimeOffset? to,
        Guid? webhookId, int? limit, string? cursor, IQuerySession session, CancellationToken ct)
    {
        var filter = DeliverySearch.Filter.Parse(webhookId, status, trigger, statusCode, from, to, limit, cursor, out var errors);
        return filter is null ? TypedResults.ValidationProblem(errors) : TypedResults.Ok(await DeliverySearch.Search(session, eshopId, filter, ct));
    }
}

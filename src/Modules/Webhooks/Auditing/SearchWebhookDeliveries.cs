namespace Ellity.Webhooks.Auditing;

/// <summary>One webhook's delivery log: the e-shop log's filters and cursor, within that webhook (deleted ones included, for audits).</summary>
public static class SearchWebhookDeliveriesEndpoint
{
    [WolverineGet("/api/eshops/{eshopId}/webhooks/{webhookId}/deliveries"), Tags("Deliveries"), KeptWithoutWebhooksFeature]
    public static async Task<Results<Ok<DeliveryPage>, ValidationProblem, ProblemHttpResult>> Get(
        string eshopId, Guid webhookId, string? status, string? trigger, int? statusCode, DateTimeOffset? from,
        DateTimeOffset? to, int? limit, string? cursor, IQuerySession session, CancellationToken ct)
    {
        if (await WebhookLookup.LoadForAudit(session, eshopId, webhookId, ct) is null) return WebhookLookup.NotFound(webhookId);
        var filter = DeliverySearch.Filter.Parse(webhookId, status, trigger, statusCode, from, to, limit, cursor, out var errors);
        return filter is null ? TypedResults.ValidationProblem(errors) : TypedResults.Ok(await DeliverySearch.Search(session, eshopId, filter, ct));
    }
}

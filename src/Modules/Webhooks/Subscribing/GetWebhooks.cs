using Ellity.Webhooks.Delivering;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Http;

namespace Ellity.Webhooks.Subscribing;

public static class GetWebhooksEndpoint
{
    [WolverineGet("/api/eshops/{eshopId}/webhooks"), Tags("Webhooks")]
    public static async Task<IReadOnlyList<WebhookResponse>> GetAll(string eshopId, IQuerySession session, CancellationToken ct)
    {
        var webhooks = await session.Query<Webhook>()
            .Where(w => w.EshopId == eshopId && !w.Deleted)
            .OrderBy(w => w.CreatedAt)
            .ToListAsync(ct);
        var health = (await session.LoadManyAsync<WebhookHealth>(ct, webhooks.Select(w => w.Id)))
            .ToDictionary(h => h.Id);
        return webhooks.Select(w => WebhookResponse.From(w, health.GetValueOrDefault(w.Id))).ToList();
    }

    [WolverineGet("/api/eshops/{eshopId}/webhooks/{webhookId}"), Tags("Webhooks")]
    public static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> Get(
        string eshopId, Guid webhookId, IQuerySession session, CancellationToken ct) =>
        await WebhookLookup.Load(session, eshopId, webhookId, ct) is { } webhook
            ? TypedResults.Ok(WebhookResponse.From(webhook, await session.LoadAsync<WebhookHealth>(webhookId, ct)))
            : WebhookLookup.NotFound(webhookId);
}

using Ellity.Webhooks.Triggers;

namespace Ellity.Webhooks.Subscribing;

/// <summary>The e-shop's webhooks, oldest first, each with its health.</summary>
public static class ListWebhooksEndpoint
{
    [WolverineGet("/api/eshops/{eshopId}/webhooks"), Tags("Webhooks")]
    public static async Task<IReadOnlyList<WebhookResponse>> GetAll(string eshopId, IQuerySession session, TriggerCatalog triggers,
        AutoDisablePolicy policy, CancellationToken ct)
    {
        var webhooks = await session.Query<Webhook>()
            .Where(w => w.EshopId == eshopId && !w.Deleted)
            .OrderBy(w => w.CreatedAt)
            .ToListAsync(ct);
        var health = (await session.LoadManyAsync<WebhookHealth>(ct, webhooks.Select(w => w.Id)))
            .ToDictionary(h => h.Id);
        return webhooks.Select(w => WebhookResponse.From(w, triggers, health.GetValueOrDefault(w.Id), policy)).ToList();
    }
}

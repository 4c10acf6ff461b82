namespace Ellity.Webhooks.Resyncing;

public static class GetResyncsEndpoint
{
    public const int Listed = 20;

    /// <summary>The webhook's latest resyncs, newest first: the first is the running one, if any.</summary>
    [WolverineGet("/api/eshops/{eshopId}/webhooks/{webhookId}/resyncs"), Tags("Resync"), KeptWithoutWebhooksFeature]
    public static async Task<Results<Ok<IReadOnlyList<ResyncResponse>>, ProblemHttpResult>> List(
        string eshopId, Guid webhookId, IQuerySession session, CancellationToken ct)
    {
        if (await WebhookLookup.LoadForAudit(session, eshopId, webhookId, ct) is null) return WebhookLookup.NotFound(webhookId);
        var jobs = await session.Query<ResyncJob>().Where(j => j.WebhookId == webhookId && j.EshopId == eshopId)
            .OrderByDescending(j => j.StartedAt).Take(Listed).ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<ResyncResponse>>(jobs.Select(ResyncResponse.From).ToList());
    }

    [WolverineGet("/api/eshops/{eshopId}/webhooks/{webhookId}/resyncs/{jobId}"), Tags("Resync"), KeptWithoutWebhooksFeature]
    public static async Task<Results<Ok<ResyncResponse>, ProblemHttpResult>> Get(
        string eshopId, Guid webhookId, Guid jobId, IQuerySession session, CancellationToken ct)
    {
        var job = await session.LoadAsync<ResyncJob>(jobId, ct);
        return ResyncLookup.Belongs(job, eshopId, webhookId) ? TypedResults.Ok(ResyncResponse.From(job!)) : ResyncLookup.NotFound(jobId);
    }
}

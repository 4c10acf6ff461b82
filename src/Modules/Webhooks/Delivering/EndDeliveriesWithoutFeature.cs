namespace Ellity.Webhooks.Delivering;

/// <summary>The e-shop's deliveries still pending from before <see cref="RemovedAt"/> end failed, a batch at a time.</summary>
public sealed record EndDeliveriesWithoutFeature(string EshopId, DateTimeOffset RemovedAt);

/// <summary>
/// Removing the Webhooks feature ends every pending delivery of the e-shop at once, with the reason, rather than when each
/// retry falls due: adding the feature again sends nothing from before. Each delivery is read for writing, so an attempt
/// recorded in the meantime makes the batch fail on its version, and the retried batch leaves that delivery as it ended.
/// An attempt that falls due before its batch ends unsent on its own (see <see cref="AttemptDeliveryHandler.NotSent"/>).
/// </summary>
public static class EndDeliveriesWithoutFeatureHandler
{
    public const int BatchSize = 200;

    public static EndDeliveriesWithoutFeature? Handle(EshopFeatureRemovedIntegrationEvent removed) =>
        removed.Feature == EshopFeature.Webhooks ? new EndDeliveriesWithoutFeature(removed.EshopId, removed.At) : null;

    public static async Task<EndDeliveriesWithoutFeature?> Handle(EndDeliveriesWithoutFeature command, IDocumentSession session,
        CancellationToken ct)
    {
        var pending = await session.Query<Delivery>()
            .Where(d => d.EshopId == command.EshopId && d.Status == DeliveryStatus.Pending && d.ScheduledAt <= command.RemovedAt)
            .OrderBy(d => d.ScheduledAt).Take(BatchSize).Select(d => d.Id).ToListAsync(ct);
        var reads = session.CreateBatchQuery();
        var streams = pending.Select(id => reads.Events.FetchForWriting<Delivery>(id)).ToList();
        await reads.Execute(ct);
        foreach (var fetched in streams)
        {
            var stream = await fetched;
            if (stream.Aggregate is not { Status: DeliveryStatus.Pending } delivery) continue;
            stream.AppendOne(new DeliveryFailed(DateTimeOffset.UtcNow, delivery.Attempts.Count, WebhooksFeature.Removed, delivery.WebhookId));
        }
        return pending.Count == BatchSize ? command : null;
    }
}

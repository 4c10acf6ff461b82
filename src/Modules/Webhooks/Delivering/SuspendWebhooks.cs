using Microsoft.Extensions.Options;

namespace Ellity.Webhooks.Delivering;

/// <summary>The e-shop's deliveries still pending from before <see cref="RemovedAt"/> end failed, a batch at a time.</summary>
public sealed record EndDeliveriesWithoutFeature(string EshopId, DateTimeOffset RemovedAt);

/// <summary>
/// Removing the Webhooks feature suspends every webhook of the e-shop (<see cref="WebhookSuspended"/>): dispatch plans
/// nothing for it, and an attempt already queued ends unsent. Every pending delivery ends at once, with the reason, rather
/// than when its retry falls due, so that adding the feature again sends nothing from before; adding it resumes the
/// webhooks (<see cref="WebhookResumed"/>), each sending what happens from then on. The webhooks are read under the lock
/// creating one takes, so a webhook created while the feature was being removed is suspended too.
/// </summary>
public static class SuspendWebhooksHandler
{
    public const int BatchSize = 200;

    /// <summary>
    /// Each webhook that was sending is switched off by this: the owner is told, like for any other switch-off, each in its
    /// history and on the operational webhook; by e-mail once for them all (<see cref="Alerting.EmailFeatureRemoved"/>), not once a webhook.
    /// </summary>
    public static async Task<OutgoingMessages> Handle(EshopFeatureRemovedIntegrationEvent removed, IDocumentSession session,
        IOptions<NotificationsOptions> notifications, CancellationToken ct)
    {
        var messages = new OutgoingMessages();
        if (removed.Feature != EshopFeature.Webhooks) return messages;
        var settings = await AlertSettings.LoadAsync(session, removed.EshopId, ct);
        var alerts = new List<(Guid Webhook, WebhookAlerted Alert)>();
        foreach (var (webhook, enabled) in await WebhooksOfAsync(session, removed.EshopId, suspended: false, ct))
        {
            session.Events.Append(webhook, new WebhookSuspended(removed.At, WebhooksFeature.Removed));
            if (!enabled) continue;
            var alert = RaiseAlerts.OnFeatureRemoved(settings, removed.At, notifications.Value);
            session.Events.Append(webhook, alert);
            alerts.Add((webhook, alert));
        }
        messages.AddRange(RaiseAlerts.FeatureRemovedMessages(removed.EshopId, alerts));
        messages.Add(new EndDeliveriesWithoutFeature(removed.EshopId, removed.At));
        return messages;
    }

    public static async Task Handle(EshopFeatureAddedIntegrationEvent added, IDocumentSession session, CancellationToken ct)
    {
        if (added.Feature != EshopFeature.Webhooks) return;
        foreach (var (webhook, _) in await WebhooksOfAsync(session, added.EshopId, suspended: true, ct))
            session.Events.Append(webhook, new WebhookResumed(added.At));
    }

    private static async Task<IReadOnlyList<(Guid Id, bool Enabled)>> WebhooksOfAsync(IDocumentSession session, string eshopId, bool suspended,
        CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await session.QueryAsync<int>("select 1 from pg_advisory_xact_lock(hashtextextended(?, 0))", ct, WebhookLookup.CreationLock(eshopId));
        return (await session.Query<Webhook>().Where(w => w.EshopId == eshopId && !w.Deleted && w.Suspended == suspended)
            .Select(w => new { w.Id, w.Enabled }).ToListAsync(ct)).Select(w => (w.Id, w.Enabled)).ToList();
    }

    /// <summary>
    /// Each delivery is read for writing, so an attempt recorded in the meantime makes the batch fail on its version, and the
    /// retried batch leaves that delivery as it ended.
    /// </summary>
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

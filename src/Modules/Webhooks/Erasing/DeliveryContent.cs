using System.Linq.Expressions;

namespace Ellity.Webhooks.Erasing;

/// <summary>
/// Erasing what a delivery carried, in its stored events and in its document, for retention and
/// for the right to erasure. The bodies go, and so do the URL's path and query (templates put
/// customer values there too); the destination's origin, the method, the times, the status codes
/// and the errors stay.
/// </summary>
public static class DeliveryContent
{
    public const string ErasedPath = "/erased";
    public const int Batch = 200;

    public static DeliveryRequest Erase(DeliveryRequest request) => request with { Url = EraseUrl(request.Url), Body = null };

    public static DeliveryAttempted Erase(DeliveryAttempted attempt) => attempt with { ResponseBody = null };

    public static string EraseUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.PathAndQuery is not ("/" or ErasedPath)
            ? uri.GetLeftPart(UriPartial.Authority) + ErasedPath
            : url;

    public static void ConfigureMasking(StoreOptions options)
    {
        options.Events.AddMaskingRuleForProtectedInformation<DeliveryScheduled>(e => e with { Request = Erase(e.Request) });
        options.Events.AddMaskingRuleForProtectedInformation<DeliveryAttempted>(Erase);
    }

    /// <summary>Erases every delivery <paramref name="which"/> selects that still has its content, a batch at a time; returns how many.</summary>
    public static async Task<int> EraseAllAsync(IDocumentStore store, Expression<Func<Delivery, bool>> which, string reason,
        bool endPending, CancellationToken ct)
    {
        var erased = 0;
        while (true)
        {
            await using var query = store.QuerySession();
            var batch = await query.Query<Delivery>().Where(which).Where(d => d.ContentErasedAt == null).Take(Batch).ToListAsync(ct);
            if (batch.Count == 0) return erased;
            await EraseAsync(store, batch, reason, endPending, ct);
            erased += batch.Count;
        }
    }

    /// <summary>
    /// Masks the deliveries' events in place, then records the erasure in each stream (which also
    /// erases the document). A crash in between leaves the document unerased and the delivery still
    /// selected by the next run, which repeats both steps.
    /// </summary>
    private static async Task EraseAsync(IDocumentStore store, IReadOnlyList<Delivery> deliveries, string reason,
        bool endPending, CancellationToken ct)
    {
        if (deliveries.Count == 0) return;
        await store.Advanced.ApplyEventDataMasking(masking =>
        {
            foreach (var delivery in deliveries) masking.IncludeStream(delivery.Id);
        }, ct);

        var now = DateTimeOffset.UtcNow;
        await using var session = store.LightweightSession();
        foreach (var delivery in deliveries)
        {
            // A pending delivery would send the erased request; it ends here instead.
            if (endPending && delivery.Status == DeliveryStatus.Pending)
                session.Events.Append(delivery.Id, new DeliveryFailed(now, delivery.Attempts.Count, reason, delivery.WebhookId));
            session.Events.Append(delivery.Id, new DeliveryContentErased(now, reason));
        }
        await session.SaveChangesAsync(ct);
    }
}

using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Ellity.Webhooks.Delivering;

/// <summary>
/// Caps the requests in flight: per webhook, and per e-shop to a share of the node's senders, so receivers of one
/// shop that hang for the whole timeout cannot hold every sender while other shops' deliveries wait. A request over
/// a cap waits a moment for a free slot (a busy receiver that answers fast frees one within milliseconds); if none
/// frees up, the caller reschedules it instead, so a slow webhook cannot hold the senders for long.
/// </summary>
public sealed class WebhookConcurrency(IOptions<WebhooksOptions> options) : IDisposable
{
    /// <summary>How long a request waits for a free slot before it is rescheduled.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(200);

    private readonly PartitionedRateLimiter<string> _eshops = PartitionedRateLimiter.Create<string, string>(eshopId =>
        RateLimitPartition.GetConcurrencyLimiter(eshopId, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = Math.Max(1, options.Value.MaxConcurrentPerEshop),
            QueueLimit = Waiters(options.Value),
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }));

    private readonly PartitionedRateLimiter<Guid> _webhooks = PartitionedRateLimiter.Create<Guid, Guid>(webhookId =>
        RateLimitPartition.GetConcurrencyLimiter(webhookId, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = Math.Max(1, options.Value.MaxConcurrentPerWebhook),
            QueueLimit = Waiters(options.Value),
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }));

    /// <summary>
    /// Every sender may wait for a slot: a fast receiver frees one within milliseconds, so an attempt that is put back
    /// (a durable scheduled message, database work exactly when the pipeline is busiest) is one that waited the whole
    /// <see cref="MaxWait"/>, which only a slow receiver causes.
    /// </summary>
    private static int Waiters(WebhooksOptions options) => Math.Max(1, options.MaxParallelDeliveries);

    /// <summary>
    /// A lease to dispose when the request is done, or null when the e-shop or the webhook stayed at its cap. The
    /// e-shop's slot is taken first and held while waiting for the webhook's, so waiting counts against the shop too.
    /// </summary>
    public async ValueTask<IDisposable?> AcquireAsync(string eshopId, Guid webhookId, CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(MaxWait);
        var eshop = await TryAcquireAsync(_eshops, eshopId, wait.Token, ct);
        if (eshop is null) return null;
        var webhook = await TryAcquireAsync(_webhooks, webhookId, wait.Token, ct);
        if (webhook is null)
        {
            eshop.Dispose();
            return null;
        }
        return new Leases(eshop, webhook);
    }

    private static async ValueTask<RateLimitLease?> TryAcquireAsync<T>(PartitionedRateLimiter<T> limiter, T key,
        CancellationToken wait, CancellationToken ct)
    {
        try
        {
            var lease = await limiter.AcquireAsync(key, 1, wait);
            if (lease.IsAcquired) return lease;
            lease.Dispose();
            return null;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private sealed class Leases(RateLimitLease eshop, RateLimitLease webhook) : IDisposable
    {
        public void Dispose()
        {
            webhook.Dispose();
            eshop.Dispose();
        }
    }

    public void Dispose()
    {
        _eshops.Dispose();
        _webhooks.Dispose();
    }
}

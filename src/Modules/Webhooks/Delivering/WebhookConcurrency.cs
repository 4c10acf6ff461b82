using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Ellity.Webhooks.Delivering;

/// <summary>
/// Caps the requests in flight to one webhook. A request over the cap waits a moment for a free
/// slot (a busy receiver that answers fast frees one within milliseconds); if none frees up, the
/// caller reschedules it instead, so a slow webhook cannot hold the senders for long.
/// </summary>
public sealed class WebhookConcurrency(IOptions<WebhooksOptions> options) : IDisposable
{
    /// <summary>How long a request waits for a free slot before it is rescheduled.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(200);

    private readonly PartitionedRateLimiter<Guid> _limiter = PartitionedRateLimiter.Create<Guid, Guid>(webhookId =>
        RateLimitPartition.GetConcurrencyLimiter(webhookId, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = Math.Max(1, options.Value.MaxConcurrentPerWebhook),
            QueueLimit = Math.Max(1, options.Value.MaxParallelDeliveries),
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }));

    /// <summary>A lease to dispose when the request is done, or null when the webhook stayed at its cap.</summary>
    public async ValueTask<RateLimitLease?> AcquireAsync(Guid webhookId, CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(MaxWait);
        try
        {
            var lease = await _limiter.AcquireAsync(webhookId, 1, wait.Token);
            if (lease.IsAcquired) return lease;
            lease.Dispose();
            return null;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    public void Dispose() => _limiter.Dispose();
}

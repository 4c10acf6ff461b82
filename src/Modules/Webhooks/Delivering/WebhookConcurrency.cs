using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Ellity.Webhooks.Delivering;

/// <summary>
/// Caps the requests in flight to one webhook. A request over the cap is not queued here (that
/// would hold a sender while it waits); the caller reschedules it a moment later instead.
/// </summary>
public sealed class WebhookConcurrency(IOptions<WebhooksOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<Guid> _limiter = PartitionedRateLimiter.Create<Guid, Guid>(webhookId =>
        RateLimitPartition.GetConcurrencyLimiter(webhookId, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = Math.Max(1, options.Value.MaxConcurrentPerWebhook),
            QueueLimit = 0,
        }));

    /// <summary>A lease to dispose when the request is done, or null when the webhook is at its cap.</summary>
    public RateLimitLease? TryAcquire(Guid webhookId)
    {
        var lease = _limiter.AttemptAcquire(webhookId);
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        return null;
    }

    public void Dispose() => _limiter.Dispose();
}

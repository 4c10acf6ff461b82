using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ellity.Webhooks.Erasing;

/// <summary>
/// Finished deliveries keep their bodies for <see cref="WebhooksOptions.ContentRetention"/>; then a
/// periodic sweep on every node erases them (idempotent, so nodes sweeping together do no harm).
/// </summary>
public sealed partial class DeliveryRetention(IDocumentStore store, IOptions<WebhooksOptions> options, ILogger<DeliveryRetention> logger)
    : BackgroundService
{
    public const string Reason = "Retention period ended.";

    /// <summary>Erases the content of every delivery that finished before <paramref name="cutoff"/>; returns how many.</summary>
    public static Task<int> SweepAsync(IDocumentStore store, DateTimeOffset cutoff, CancellationToken ct) =>
        DeliveryContent.EraseAllAsync(store, d => d.CompletedAt < cutoff, Reason, endPending: false, ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RetentionSweepInterval);
        do
        {
            try
            {
                var erased = await SweepAsync(store, DateTimeOffset.UtcNow - options.Value.ContentRetention, stoppingToken);
                if (erased > 0) LogSwept(erased);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSweepFailed(e);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(LogLevel.Information, "Retention: erased the content of {Count} deliveries")]
    private partial void LogSwept(int count);

    [LoggerMessage(LogLevel.Warning, "Retention sweep failed; it runs again at the next interval")]
    private partial void LogSweepFailed(Exception e);
}

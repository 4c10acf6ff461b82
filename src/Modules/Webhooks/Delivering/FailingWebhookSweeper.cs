using Marten.Linq.MatchesSql;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wolverine.Runtime;

namespace Ellity.Webhooks.Delivering;

/// <summary>
/// A failing webhook is decided on (<see cref="DisableFailingWebhookHandler"/>) when its health takes in failed attempts.
/// One whose attempts have stopped (its last delivery gave up, no new events) would never be told it has been failing for
/// <c>failingAfterMinutes</c>. Every <see cref="WebhooksOptions.FailingCheckInterval"/> this tells <see cref="WebhookFailing"/>
/// for each enabled webhook whose "failing" alert is due; the handler decides as it does after an attempt, and the alert it
/// records makes the webhook not due again. The warning and the switch-off still wait for an attempt: switching off a
/// webhook nothing is sent to spares no receiver, and would drop the next event, which may well succeed.
/// </summary>
public sealed partial class FailingWebhookSweeper(IDocumentStore store, IWolverineRuntime runtime, IOptions<WebhooksOptions> options,
    IOptions<NotificationsOptions> notifications, ILogger<FailingWebhookSweeper> logger) : BackgroundService
{
    /// <summary>The most webhooks one round looks at, the longest failing first.</summary>
    public const int Batch = 1000;

    /// <summary>
    /// When the "failing" alert of <paramref name="webhook"/> is due by time alone, or null when it is not to be sent that way:
    /// sent already, the webhook off or working, or due only once the warning (which says it fails, too) would be.
    /// Mirrors <see cref="RaiseAlerts.OnFailing"/>.
    /// </summary>
    public static DateTimeOffset? FailingAlertDue(Webhook webhook, WebhookHealth health, AlertSettings settings, TimeSpan autoDisableAfter,
        NotificationsOptions options)
    {
        if (!webhook.Enabled || webhook.Deleted || webhook.Suspended || health.FailingSince is not { } since
            || health.LastFailureAt < webhook.ActiveSince || RaiseAlerts.Told(webhook.AlertedFailingSince, since))
            return null;
        var due = health.ConsecutiveFailures >= settings.FailingAfterAttempts ? since : since + TimeSpan.FromMinutes(settings.FailingAfterMinutes);
        // A webhook that flaps is told failing once per RepeatFailingAfter: not before that has passed.
        if (webhook.LastFailingAlertAt is { } last && last + options.RepeatFailingAfter > due) due = last + options.RepeatFailingAfter;
        return due < since + autoDisableAfter - options.WarnBeforeDisable ? due : null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.FailingCheckInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogSweepFailed(logger, e);
            }
        }
    }

    private async Task SweepAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        // Only webhooks that are on and whose owner was not told of this run yet (RaiseAlerts.Told): a switched-off one keeps
        // its failing health, and one told has nothing left for this sweep, so the batch holds only what may be due.
        var failing = await session.Query<WebhookHealth>()
            .Where(h => h.FailingSince != null)
            .Where(h => h.MatchesSql($$"""
                exists (select 1 from {{WebhooksModule.Schema}}.mt_doc_webhook w where w.id = d.id and (w.data ->> 'enabled')::boolean
                  and coalesce((w.data ->> 'alertedFailingSince')::timestamptz < (d.data ->> 'failingSince')::timestamptz, true))
                """))
            .OrderBy(h => h.FailingSince).Take(Batch).ToListAsync(ct);
        if (failing.Count == 0) return;
        var webhooks = (await session.LoadManyAsync<Webhook>(ct, failing.Select(h => h.Id))).ToDictionary(w => w.Id);
        var settings = (await session.LoadManyAsync<AlertSettings>(ct, webhooks.Values.Select(w => AlertSettings.IdFor(w.EshopId)).Distinct()))
            .ToDictionary(s => s.EshopId);
        var now = DateTimeOffset.UtcNow;
        var bus = new MessageBus(runtime);
        foreach (var health in failing)
        {
            if (!webhooks.TryGetValue(health.Id, out var webhook)) continue;
            var shop = settings.GetValueOrDefault(webhook.EshopId) ?? AlertSettings.Default(webhook.EshopId);
            if (FailingAlertDue(webhook, health, shop, options.Value.AutoDisableAfter, notifications.Value) <= now)
                await bus.PublishAsync(new WebhookFailing(webhook.Id));
        }
    }

    [LoggerMessage(LogLevel.Warning, "Looking for failing webhooks with an alert due failed; trying again shortly")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}

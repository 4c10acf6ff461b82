using Marten.Linq.MatchesSql;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wolverine.Runtime;

namespace Ellity.Webhooks.Delivering;

/// <summary>
/// A failing webhook is decided on (<see cref="DisableFailingWebhookHandler"/>) when its health takes in failed attempts.
/// One whose attempts have stopped (its last delivery gave up, no new events) would never be told it has been failing for
/// <c>failingAfterMinutes</c>, nor warned a day before it may be switched off. Every
/// <see cref="WebhooksOptions.FailingCheckInterval"/> this tells <see cref="WebhookFailing"/> for each enabled webhook whose
/// "failing" alert or warning is due; the handler decides as it does after an attempt, and the alert it records makes the
/// webhook not due again. The switch-off still waits for an attempt: switching off a webhook nothing is sent to spares no
/// receiver, and would drop the next event, which may well succeed.
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
        if (webhook.FailingRun(health) is not { } since || RaiseAlerts.Told(webhook.AlertedFailingSince, since)) return null;
        var due = health.ConsecutiveFailures >= settings.FailingAfterAttempts ? since : since + TimeSpan.FromMinutes(settings.FailingAfterMinutes);
        // A webhook that flaps is told failing once per RepeatFailingAfter: not before that has passed.
        if (webhook.LastFailingAlertAt is { } last && last + options.RepeatFailingAfter > due) due = last + options.RepeatFailingAfter;
        return due < since + autoDisableAfter - options.WarnBeforeDisable ? due : null;
    }

    /// <summary>
    /// When the owner of <paramref name="webhook"/> is to be warned that it will be switched off, or null when that is not to
    /// come by time alone: warned already, or the webhook off or working. Mirrors <see cref="RaiseAlerts.OnFailing"/>.
    /// </summary>
    public static DateTimeOffset? WarningDue(Webhook webhook, WebhookHealth health, TimeSpan autoDisableAfter, NotificationsOptions options) =>
        webhook.FailingRun(health) is { } since && !RaiseAlerts.Told(webhook.WarnedFailingSince, since)
            ? since + autoDisableAfter - options.WarnBeforeDisable
            : null;

    /// <summary>When a signal for <paramref name="webhook"/> is due by time alone, for its "failing" alert or its warning.</summary>
    public static DateTimeOffset? AlertDue(Webhook webhook, WebhookHealth health, AlertSettings settings, TimeSpan autoDisableAfter,
        NotificationsOptions options) =>
        new[] { FailingAlertDue(webhook, health, settings, autoDisableAfter, options), WarningDue(webhook, health, autoDisableAfter, options) }.Min();

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
        var now = DateTimeOffset.UtcNow;
        var allowed = options.Value.AutoDisableAfter;
        // Webhooks that are on and whose owner was not told of this run yet (RaiseAlerts.Told): a switched-off one keeps its
        // failing health, and one told has nothing left for the "failing" alert, so the batch holds only what may be due.
        var untold = await session.Query<WebhookHealth>()
            .Where(h => h.FailingSince != null)
            .Where(h => h.MatchesSql(OnAndNotTold("alertedFailingSince")))
            .OrderBy(h => h.FailingSince).Take(Batch).ToListAsync(ct);
        // Those not warned yet whose warning is due: told failing or not, every one of them is due.
        var warnFrom = now - (allowed - notifications.Value.WarnBeforeDisable);
        var unwarned = await session.Query<WebhookHealth>()
            .Where(h => h.FailingSince != null && h.FailingSince <= warnFrom)
            .Where(h => h.MatchesSql(OnAndNotTold("warnedFailingSince")))
            .OrderBy(h => h.FailingSince).Take(Batch).ToListAsync(ct);
        var failing = untold.Concat(unwarned).DistinctBy(h => h.Id).ToList();
        if (failing.Count == 0) return;
        var webhooks = (await session.LoadManyAsync<Webhook>(ct, failing.Select(h => h.Id))).ToDictionary(w => w.Id);
        var settings = (await session.LoadManyAsync<AlertSettings>(ct, webhooks.Values.Select(w => AlertSettings.IdFor(w.EshopId)).Distinct()))
            .ToDictionary(s => s.EshopId);
        var bus = new MessageBus(runtime);
        foreach (var health in failing)
        {
            if (!webhooks.TryGetValue(health.Id, out var webhook)) continue;
            var shop = settings.GetValueOrDefault(webhook.EshopId) ?? AlertSettings.Default(webhook.EshopId);
            if (AlertDue(webhook, health, shop, allowed, notifications.Value) <= now)
                await bus.PublishAsync(new WebhookFailing(webhook.Id));
        }
    }

    /// <summary>The health's webhook is on, and <paramref name="told"/> (one of its run-of-failures fields) is of an earlier run.</summary>
    private static string OnAndNotTold(string told) => $$"""
        exists (select 1 from {{WebhooksModule.Schema}}.mt_doc_webhook w where w.id = d.id and (w.data ->> 'enabled')::boolean
          and coalesce((w.data ->> '{{told}}')::timestamptz < (d.data ->> 'failingSince')::timestamptz, true))
        """;

    [LoggerMessage(LogLevel.Warning, "Looking for failing webhooks with an alert due failed; trying again shortly")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}

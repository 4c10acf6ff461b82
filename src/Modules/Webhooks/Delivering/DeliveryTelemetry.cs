using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;

namespace Ellity.Webhooks.Delivering;

/// <summary>
/// What operators watch (OpenTelemetry meter and activity source <c>Ellity.Webhooks</c>): attempts and
/// deliveries by outcome, attempt duration, event-to-receipt latency, and the backlog of pending
/// deliveries. Labels stay low-cardinality (outcome, trigger); ids go to traces and logs only.
/// </summary>
public sealed class DeliveryTelemetry
{
    public const string Name = "Ellity.Webhooks";
    public static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _attempts;
    private readonly Counter<long> _deliveries;
    private readonly Histogram<double> _attemptDuration;
    private readonly Histogram<double> _latency;
    private (long Due, long Scheduled, long Overdue) _backlog;

    public DeliveryTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _attempts = meter.CreateCounter<long>("ellity.webhooks.attempts", "{attempt}", "HTTP attempts made, by outcome");
        _deliveries = meter.CreateCounter<long>("ellity.webhooks.deliveries", "{delivery}", "Deliveries ended, by outcome");
        _attemptDuration = meter.CreateHistogram<double>("ellity.webhooks.attempt.duration", "s", "How long one HTTP attempt took");
        _latency = meter.CreateHistogram<double>("ellity.webhooks.delivery.latency", "s",
            "From the customer event's commit to the receiver's 2xx");
        meter.CreateObservableGauge("ellity.webhooks.backlog", () => new[]
        {
            new Measurement<long>(_backlog.Due, new KeyValuePair<string, object?>("state", "due")),
            new Measurement<long>(_backlog.Scheduled, new KeyValuePair<string, object?>("state", "scheduled")),
        }, "{delivery}", "Pending deliveries: due now (or in flight), and waiting for a scheduled retry");
        meter.CreateObservableGauge("ellity.webhooks.overdue", () => _backlog.Overdue, "{delivery}",
            $"Pending deliveries whose next attempt was due more than {OverdueAfter.TotalMinutes:0} minutes ago: stuck, or far behind");
    }

    public void Attempted(Delivery delivery, DeliveryAttempted attempt)
    {
        var tags = new TagList { { "outcome", attempt.Succeeded ? "succeeded" : "failed" }, { "trigger", delivery.Trigger } };
        _attempts.Add(1, tags);
        _attemptDuration.Record(attempt.DurationMs / 1000.0, tags);
    }

    public void Ended(Delivery delivery, bool succeeded, DateTimeOffset at)
    {
        var tags = Ended(delivery.Trigger, succeeded);
        if (succeeded) _latency.Record((at - delivery.SourceOccurredAt).TotalSeconds, tags);
    }

    public TagList Ended(string trigger, bool succeeded)
    {
        var tags = new TagList { { "outcome", succeeded ? "succeeded" : "failed" }, { "trigger", trigger } };
        _deliveries.Add(1, tags);
        return tags;
    }

    /// <summary>A pending delivery this long past its next attempt's time is overdue: nothing is working on it, or far too slowly.</summary>
    public static readonly TimeSpan OverdueAfter = TimeSpan.FromMinutes(5);

    public void Backlog(long due, long scheduled, long overdue) => _backlog = (due, scheduled, overdue);

    /// <summary>The last sample: pending deliveries due (or in flight), waiting for a retry, and overdue.</summary>
    public (long Due, long Scheduled, long Overdue) LastBacklog => _backlog;
}

/// <summary>Counts the pending deliveries for the backlog gauge now and then, rather than on every scrape.</summary>
public sealed class DeliveryBacklogSampler(IDocumentStore store, DeliveryTelemetry telemetry) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await using var session = store.QuerySession();
                var now = DateTimeOffset.UtcNow;
                var overdueSince = now - DeliveryTelemetry.OverdueAfter;
                // The three counts in one round trip.
                var counts = session.CreateBatchQuery();
                var all = counts.Query<Delivery>().Where(d => d.Status == DeliveryStatus.Pending).Count();
                var scheduled = counts.Query<Delivery>().Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt > now).Count();
                var overdue = counts.Query<Delivery>().Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt < overdueSince).Count();
                await counts.Execute(stoppingToken);
                telemetry.Backlog(await all - await scheduled, await scheduled, await overdue);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database may be away; the gauge keeps its last reading and the next tick tries again.
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

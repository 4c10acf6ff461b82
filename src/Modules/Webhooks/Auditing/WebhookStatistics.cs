using Marten.Events.Projections;

namespace Ellity.Webhooks.Auditing;

/// <summary>
/// One hour of one webhook's deliveries, each thing counted in the hour it happened: deliveries
/// scheduled, deliveries that ended, attempts and how long they took. Any hours add up to a period.
/// </summary>
public sealed class WebhookHourStatistics
{
    public string Id { get; set; } = "";
    public Guid WebhookId { get; set; }
    public DateTimeOffset Hour { get; set; }
    public int Deliveries { get; set; }
    public int Succeeded { get; set; }
    public int Failed { get; set; }
    public int Attempts { get; set; }
    /// <summary>Attempts per bucket of <see cref="ResponseTimeHistogram.Bounds"/>; the last bucket is above them all.</summary>
    public int[] AttemptDurations { get; set; } = new int[ResponseTimeHistogram.Bounds.Length + 1];

    public static string IdFor(Guid webhookId, DateTimeOffset at) => $"{webhookId}:{HourOf(at):yyyyMMddHH}";

    public static DateTimeOffset HourOf(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerHour, TimeSpan.Zero);

    public WebhookHourStatistics Of(Guid webhookId, DateTimeOffset at)
    {
        Id = IdFor(webhookId, at);
        WebhookId = webhookId;
        Hour = HourOf(at);
        return this;
    }
}

/// <summary>
/// Attempt durations counted against fixed upper bounds in milliseconds, the R5 preferred numbers
/// (five per decade, each about 1.6 times the last): fixed bounds let any hours merge by adding
/// counts, and a percentile read from them is off by at most one bucket's width.
/// </summary>
public static class ResponseTimeHistogram
{
    public static readonly long[] Bounds =
    [
        1, 2, 4, 6, 10, 16, 25, 40, 63, 100, 160, 250, 400, 630,
        1_000, 1_600, 2_500, 4_000, 6_300, 10_000, 16_000, 25_000, 40_000, 63_000,
    ];

    /// <summary>The bucket of a duration: the first bound it does not exceed, or the one past the last bound.</summary>
    public static int BucketOf(long durationMs)
    {
        var found = Array.BinarySearch(Bounds, durationMs);
        return found >= 0 ? found : ~found;
    }

    /// <summary>
    /// The duration that <paramref name="quantile"/> (0 &lt; q ≤ 1) of the attempts did not exceed,
    /// interpolated linearly within its bucket like Prometheus' histogram_quantile; the last bound
    /// when it falls above all bounds; null without attempts.
    /// </summary>
    public static double? Percentile(IReadOnlyList<int> counts, double quantile)
    {
        var total = counts.Sum(c => (long)c);
        if (total == 0) return null;
        var rank = quantile * total;
        var bucket = 0;
        long below = 0;
        while (below + counts[bucket] < rank) below += counts[bucket++];
        if (bucket == Bounds.Length) return Bounds[^1];
        var lower = bucket == 0 ? 0 : Bounds[bucket - 1];
        return lower + (Bounds[bucket] - lower) * (rank - below) / counts[bucket];
    }
}

/// <summary>Async like <see cref="WebhookHealthProjection"/>: the daemon counts a webhook's events one after another.</summary>
public sealed partial class WebhookHourStatisticsProjection : MultiStreamProjection<WebhookHourStatistics, string>
{
    public WebhookHourStatisticsProjection()
    {
        Identity<DeliveryScheduled>(e => WebhookHourStatistics.IdFor(e.WebhookId, e.ScheduledAt));
        Identity<DeliveryAttempted>(e => WebhookHourStatistics.IdFor(e.WebhookId, e.StartedAt));
        Identity<DeliverySucceeded>(e => WebhookHourStatistics.IdFor(e.WebhookId, e.At));
        Identity<DeliveryFailed>(e => WebhookHourStatistics.IdFor(e.WebhookId, e.At));
    }

    public void Apply(WebhookHourStatistics hour, DeliveryScheduled e) => hour.Of(e.WebhookId, e.ScheduledAt).Deliveries++;

    public void Apply(WebhookHourStatistics hour, DeliveryAttempted e)
    {
        hour.Of(e.WebhookId, e.StartedAt).Attempts++;
        hour.AttemptDurations[ResponseTimeHistogram.BucketOf(e.DurationMs)]++;
    }

    public void Apply(WebhookHourStatistics hour, DeliverySucceeded e) => hour.Of(e.WebhookId, e.At).Succeeded++;

    public void Apply(WebhookHourStatistics hour, DeliveryFailed e) => hour.Of(e.WebhookId, e.At).Failed++;
}

/// <summary><see cref="Skipped"/>: events of the trigger the webhook's conditions kept from being sent (no delivery, no request).</summary>
public sealed record DeliveryStatistics(
    int Deliveries, int Succeeded, int Failed, double? SuccessRate, int Attempts, long? P95ResponseMs, int Skipped)
{
    public static DeliveryStatistics Sum(IReadOnlyCollection<WebhookHourStatistics> hours, IReadOnlyCollection<WebhookHourSkips> skips)
    {
        var (succeeded, failed) = (hours.Sum(h => h.Succeeded), hours.Sum(h => h.Failed));
        var durations = new int[ResponseTimeHistogram.Bounds.Length + 1];
        foreach (var hour in hours)
            for (var bucket = 0; bucket < durations.Length; bucket++) durations[bucket] += hour.AttemptDurations[bucket];
        return new(
            hours.Sum(h => h.Deliveries), succeeded, failed,
            succeeded + failed == 0 ? null : Math.Round((double)succeeded / (succeeded + failed), 4),
            hours.Sum(h => h.Attempts),
            ResponseTimeHistogram.Percentile(durations, 0.95) is { } p95 ? (long)Math.Round(p95) : null,
            skips.Sum(s => s.Skipped));
    }
}

/// <summary>The last event the webhook's conditions kept from being sent, and the condition it did not meet.</summary>
public sealed record SkippedEvent(DateTimeOffset At, Guid EventId, string Unmet);

public sealed record WebhookStatisticsResponse(
    DeliveryStatistics Last24Hours, DeliveryStatistics Last7Days, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastFailureAt,
    SkippedEvent? LastSkipped);

public static class WebhookStatisticsEndpoint
{
    /// <summary>
    /// Sums whole hours: the current hour and the 23 (or 167) before it. The hours' ids are known,
    /// so they are loaded by id rather than searched for.
    /// </summary>
    [WolverineGet("/api/eshops/{eshopId}/webhooks/{webhookId}/stats"), Tags("Webhooks")]
    public static async Task<Results<Ok<WebhookStatisticsResponse>, ProblemHttpResult>> Get(
        string eshopId, Guid webhookId, IQuerySession session, CancellationToken ct)
    {
        if (await WebhookLookup.Load(session, eshopId, webhookId, ct) is null) return WebhookLookup.NotFound(webhookId);

        var now = DateTimeOffset.UtcNow;
        var ids = Enumerable.Range(0, 7 * 24).Select(h => WebhookHourStatistics.IdFor(webhookId, now.AddHours(-h))).ToArray();
        var reads = session.CreateBatchQuery();
        var counted = reads.LoadMany<WebhookHourStatistics>().ById(ids);
        var skipped = reads.LoadMany<WebhookHourSkips>().ById(ids);
        var loaded = reads.Load<WebhookHealth>(webhookId);
        await reads.Execute(ct);
        var (week, skips, health) = (await counted, await skipped, await loaded);
        var dayStart = WebhookHourStatistics.HourOf(now).AddHours(-23);
        var last = skips.MaxBy(s => s.LastAt);
        return TypedResults.Ok(new WebhookStatisticsResponse(
            DeliveryStatistics.Sum(week.Where(h => h.Hour >= dayStart).ToList(), skips.Where(s => s.Hour >= dayStart).ToList()),
            DeliveryStatistics.Sum(week, skips),
            health?.LastSuccessAt, health?.LastFailureAt,
            last is { LastAt: { } at, LastEventId: { } eventId, LastUnmet: { } unmet } ? new SkippedEvent(at, eventId, unmet) : null));
    }
}

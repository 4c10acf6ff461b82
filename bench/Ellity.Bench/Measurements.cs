namespace Ellity.Bench;

/// <summary>Latency distribution in milliseconds.</summary>
public sealed record Latency(int Count, double P50, double P95, double P99, double Max, double Mean)
{
    public static Latency Of(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        if (sorted.Length == 0) return new Latency(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        // Nearest rank: the smallest value with at least p of the values at or below it.
        double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Latency(sorted.Length, Round(At(0.50)), Round(At(0.95)), Round(At(0.99)), Round(sorted[^1]), Round(sorted.Average()));
    }

    private static double Round(double ms) => Math.Round(ms, 1);
}

/// <summary>
/// What the receiver got compared with what was committed: every committed event must reach every
/// webhook once (answered 200); more is a duplicate, less is a loss.
/// </summary>
/// <param name="Expected">Committed events times webhooks.</param>
/// <param name="Received">Distinct deliveries (<c>webhook-id</c>) answered 200.</param>
/// <param name="Requests">Every request the receiver got, failures included.</param>
/// <param name="Duplicates">Requests answered 200 for a delivery that had already been answered 200.</param>
/// <param name="DeliveriesPerSecond">Received / (last receipt - first commit).</param>
/// <param name="EventToReceipt">Receipt time minus <c>event.occurredAt</c> (the domain event's commit time), first 200 of each delivery.</param>
public sealed record DeliveryCheck(
    long Expected, long Received, long Lost, long Duplicates, long Requests, long Unexpected,
    DateTime FirstCommit, DateTime LastReceipt, double Seconds, double DeliveriesPerSecond, Latency EventToReceipt)
{
    public static DeliveryCheck Of(IReadOnlyDictionary<Guid, DateTime> committed, int webhooks, IEnumerable<Receipt> receipts)
    {
        var all = receipts.ToList();
        var ok = all.Where(r => r.Status == 200).ToList();
        var firstOfEach = FirstSuccesses(ok).ToList();
        var expectedDelivery = firstOfEach.Where(r => committed.ContainsKey(r.EventId)).ToList();
        var firstCommit = committed.Count > 0 ? committed.Values.Min() : default;
        var lastReceipt = expectedDelivery.Count > 0 ? expectedDelivery.Max(r => r.ReceivedAt) : default;
        var seconds = (lastReceipt - firstCommit).TotalSeconds;
        var expected = (long)committed.Count * webhooks;
        return new DeliveryCheck(
            expected, expectedDelivery.Count, expected - expectedDelivery.Count, ok.Count - firstOfEach.Count, all.Count,
            firstOfEach.Count - expectedDelivery.Count, firstCommit, lastReceipt, Math.Round(seconds, 3),
            seconds > 0 ? Math.Round(expectedDelivery.Count / seconds, 1) : 0,
            Latency.Of(expectedDelivery.Select(r => (r.ReceivedAt - r.OccurredAt).TotalMilliseconds)));
    }

    /// <summary>
    /// Event-to-receipt latency of the events committed from <paramref name="from"/> after the first one to
    /// before <paramref name="to"/> (to the end when null): a warm-up, or the measured part of one run.
    /// </summary>
    public static Latency LatencyBetween(IReadOnlyDictionary<Guid, DateTime> committed, IEnumerable<Receipt> receipts, TimeSpan from, TimeSpan? to = null)
    {
        if (committed.Count == 0) return Latency.Of([]);
        var first = committed.Values.Min();
        return Latency.Of(FirstSuccesses(receipts.Where(r => r.Status == 200))
            .Where(r => committed.TryGetValue(r.EventId, out var at) && at >= first + from && (to is null || at < first + to))
            .Select(r => (r.ReceivedAt - r.OccurredAt).TotalMilliseconds));
    }

    /// <summary>The first 200 of each delivery (<c>webhook-id</c>): the one that counts.</summary>
    private static IEnumerable<Receipt> FirstSuccesses(IEnumerable<Receipt> ok) =>
        ok.GroupBy(r => r.WebhookId).Select(g => g.MinBy(r => r.ReceivedAt)!);
}

/// <summary>CPU and memory over one measured phase: the Host's, PostgreSQL's (all its processes) and the benchmark's own.</summary>
/// <param name="Transactions">Transactions committed or rolled back in the scenario's database during the phase.</param>
public sealed record ResourceUse(
    double WallSeconds, double HostCpuSeconds, double PostgresCpuSeconds, double BenchCpuSeconds,
    double HostPeakRssMiB, double HostRssStartMiB, double HostRssEndMiB, long Transactions)
{
    /// <summary>CPU used per second of wall time, in cores (this machine has two).</summary>
    public double HostCores => Math.Round(HostCpuSeconds / WallSeconds, 2);
    public double PostgresCores => Math.Round(PostgresCpuSeconds / WallSeconds, 2);
    public double BenchCores => Math.Round(BenchCpuSeconds / WallSeconds, 2);
}

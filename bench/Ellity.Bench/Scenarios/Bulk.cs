namespace Ellity.Bench.Scenarios;

/// <param name="BatchSize">Credit changes per request, each request one transaction.</param>
/// <param name="Ingest">How the batches went: <see cref="LoadResult.Sent"/> counts requests.</param>
public sealed record BulkResult(int Changes, int Customers, int BatchSize, LoadResult Ingest, DeliveryCheck Deliveries,
    DeliveryAudit Audit, ResourceUse Resources)
{
    public double TransactionsPerDelivery => Math.Round((double)Resources.Transactions / Math.Max(1, Deliveries.Received), 2);
}

/// <summary>
/// A nightly job's burst: credit changes made by module code in batches of 500 (the Customers module's batch endpoint,
/// one transaction each, one request after the other), one webhook: from the first commit to the last receipt, every
/// delivery audited. What it shows is the delivery pipeline's own rate, with the API's per-change cost out of the way.
/// </summary>
public static class Bulk
{
    public const int BatchSize = 500;

    public static async Task<BulkResult> RunAsync(BenchSettings settings)
    {
        var counts = settings.Counts;
        await using var run = await HostScenario.StartAsync(settings, "bulk");
        await run.Api.CreateWebhookAsync("bulk", run.Receiver.Url, HostScenario.BodyTemplate);
        var customers = await run.Api.RegisterCustomersAsync(counts.ThroughputCustomers, HostScenario.SetupConcurrency);
        // A warm-up through the same path, all delivered, as the throughput run has one.
        await BatchesAsync(run.Api, customers, 0, counts.ThroughputWarmUpChanges);
        await run.DrainAsync((await run.Database.EventsAsync(HostScenario.CreditChanged)).Count, HostScenario.Stall);
        var before = await run.Database.EventsAsync(HostScenario.CreditChanged);
        var audit = await run.Database.AuditAsync();

        var mark = await run.BeginAsync();
        Console.Error.WriteLine($"[bulk] {counts.BulkChanges} credit changes over {customers.Length} customers in batches of {BatchSize}");
        var ingest = await BatchesAsync(run.Api, customers, counts.ThroughputWarmUpChanges, counts.BulkChanges);
        Console.Error.WriteLine($"  committed in {ingest.Seconds} s; waiting for the deliveries");
        var committed = (await run.Database.EventsAsync(HostScenario.CreditChanged)).Where(e => !before.ContainsKey(e.Key)).ToDictionary();
        await run.DrainAsync(before.Count + committed.Count, HostScenario.Stall, TimeSpan.FromSeconds(3 * counts.DrainLimitSeconds));
        var resources = await run.EndAsync(mark);
        var result = new BulkResult(counts.BulkChanges, customers.Length, BatchSize, ingest,
            DeliveryCheck.Of(committed, 1, run.Receiver.Receipts.Where(r => committed.ContainsKey(r.EventId))),
            (await run.Database.AuditAsync()).Since(audit), resources);
        Console.Error.WriteLine($"  {result.Deliveries.Received} delivered in {result.Deliveries.Seconds} s: {result.Deliveries.DeliveriesPerSecond}/s");
        return result;
    }

    /// <summary>Changes <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/>, one batch after the other.</summary>
    private static async Task<LoadResult> BatchesAsync(EllityApi api, Guid[] customers, int first, int count)
    {
        var timings = new List<double>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var at = first; at < first + count; at += BatchSize)
        {
            var started = clock.Elapsed;
            await api.ChangeCreditsAsync(customers, at, Math.Min(BatchSize, first + count - at));
            timings.Add((clock.Elapsed - started).TotalMilliseconds);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        return new LoadResult(timings.Count, 0, Math.Round(seconds, 2), Math.Round(count / seconds, 1), 0, Latency.Of(timings));
    }
}

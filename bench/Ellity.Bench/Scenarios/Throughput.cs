namespace Ellity.Bench.Scenarios;

/// <param name="WarmUp">The changes made on the fresh Host before the measured ones, and their deliveries: the cold start.</param>
public sealed record ThroughputResult(
    int Changes, int Customers, int ClientConcurrency, LoadResult Ingest, DeliveryCheck Deliveries, DeliveryAudit Audit,
    ResourceUse Resources, LoadResult WarmUpIngest, DeliveryCheck WarmUp)
{
    public double TransactionsPerDelivery => Math.Round((double)Resources.Transactions / Math.Max(1, Deliveries.Received), 2);
}

/// <summary>
/// Credit changes over many customers as fast as the API takes them, one POST webhook with the templated
/// body: deliveries per second from the first commit to the last receipt, every delivery audited. The
/// target is a sustained rate, so the fresh Host is warmed up first by the same load (reported apart as
/// the cold start) and the measured part starts once the warm-up's deliveries have all arrived.
/// </summary>
public static class Throughput
{
    public static async Task<ThroughputResult> RunAsync(BenchSettings settings)
    {
        var counts = settings.Counts;
        await using var run = await HostScenario.StartAsync(settings, "throughput");
        await run.Api.CreateWebhookAsync("throughput", run.Receiver.Url, HostScenario.BodyTemplate);
        var customers = await run.Api.RegisterCustomersAsync(counts.ThroughputCustomers, HostScenario.SetupConcurrency);
        await run.Database.WaitUntilIdleAsync(HostScenario.IdleLimit);

        // Every delivery must arrive for the figures to mean anything: three times the usual patience.
        var patience = TimeSpan.FromSeconds(3 * counts.DrainLimitSeconds);
        Console.Error.WriteLine($"[throughput] warm-up: {counts.ThroughputWarmUpChanges} credit changes, {counts.ClientConcurrency} clients");
        var warmUpIngest = await Load.ClosedAsync(run.Api, customers, counts.ThroughputWarmUpChanges, counts.ClientConcurrency);
        var warmUp = await run.Database.EventsAsync(HostScenario.CreditChanged);
        await run.DrainAsync(warmUp.Count, HostScenario.Stall, patience);
        var warmUpCheck = DeliveryCheck.Of(warmUp, 1, run.Receiver.Receipts);
        Console.Error.WriteLine($"  warm-up: {warmUpCheck.Received} delivered in {warmUpCheck.Seconds} s ({warmUpCheck.DeliveriesPerSecond}/s)");
        var before = await run.Database.AuditAsync();

        var mark = await run.BeginAsync();
        Console.Error.WriteLine($"[throughput] {counts.ThroughputChanges} credit changes over {customers.Length} customers, {counts.ClientConcurrency} clients");
        var ingest = await Load.ClosedAsync(run.Api, customers, counts.ThroughputChanges, counts.ClientConcurrency);
        Console.Error.WriteLine($"  ingested in {ingest.Seconds} s ({ingest.OfferedPerSecond}/s); waiting for the deliveries");
        var committed = (await run.Database.EventsAsync(HostScenario.CreditChanged))
            .Where(e => !warmUp.ContainsKey(e.Key)).ToDictionary();
        await run.DrainAsync(warmUp.Count + committed.Count, HostScenario.Stall, patience);
        var resources = await run.EndAsync(mark);

        var result = new ThroughputResult(counts.ThroughputChanges, customers.Length, counts.ClientConcurrency, ingest,
            DeliveryCheck.Of(committed, 1, run.Receiver.Receipts.Where(r => !warmUp.ContainsKey(r.EventId))),
            (await run.Database.AuditAsync()).Since(before), resources, warmUpIngest, warmUpCheck);
        Console.Error.WriteLine($"  {result.Deliveries.Received} delivered in {result.Deliveries.Seconds} s: {result.Deliveries.DeliveriesPerSecond}/s");
        return result;
    }
}

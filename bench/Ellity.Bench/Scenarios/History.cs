namespace Ellity.Bench.Scenarios;

/// <param name="Changes">Credit changes measured for this kind of customer, over all its rounds.</param>
/// <param name="HostCpuMsPerDelivery">Host CPU per delivery over this kind's rounds; with <paramref name="PostgresCpuMsPerDelivery"/> what an event costs.</param>
public sealed record HistoryPhase(long Changes, long Received, long Lost, long Duplicates, double Seconds, double DeliveriesPerSecond,
    double HostCpuMsPerDelivery, double PostgresCpuMsPerDelivery)
{
    public double CpuMsPerDelivery => Math.Round(HostCpuMsPerDelivery + PostgresCpuMsPerDelivery, 3);
}

/// <param name="EarlierEvents">Credit changes each long-lived customer had before the measured ones.</param>
/// <param name="Rounds">Measured rounds per kind of customer, in the order long-lived, new, new, long-lived, and again.</param>
public sealed record HistoryResult(int Customers, int EarlierEvents, int Rounds, HistoryPhase LongLived, HistoryPhase New)
{
    /// <summary>What an event of a long-lived customer costs against one of a new customer (1.0: the same).</summary>
    public double CostRatio => Math.Round(LongLived.CpuMsPerDelivery / Math.Max(0.001, New.CpuMsPerDelivery), 3);
}

/// <summary>
/// Whether a customer's history makes its events dearer: customers with many earlier changes and new ones get the
/// same credit changes through the API, one webhook, in rounds ordered long-lived, new, new, long-lived (so a steady drift
/// and what is left of the warm-up fall on both alike), and the Host's and PostgreSQL's CPU per delivery are compared.
/// </summary>
public static class History
{
    public static async Task<HistoryResult> RunAsync(BenchSettings settings)
    {
        var counts = settings.Counts;
        await using var run = await HostScenario.StartAsync(settings, "history");
        var longLived = await run.Api.RegisterCustomersAsync(counts.HistoryCustomers, HostScenario.SetupConcurrency);
        Console.Error.WriteLine($"[history] {counts.HistoryCustomers} customers get {counts.HistoryEarlierEvents} credit changes each, before any webhook");
        await Load.ClosedAsync(run.Api, longLived, counts.HistoryCustomers * counts.HistoryEarlierEvents, counts.ClientConcurrency);
        var fresh = await run.Api.RegisterCustomersAsync(counts.HistoryCustomers, HostScenario.SetupConcurrency);
        await run.Database.WaitUntilIdleAsync(HostScenario.IdleLimit);
        await run.Database.VacuumAsync();
        await run.Api.CreateWebhookAsync("history", run.Receiver.Url, HostScenario.BodyTemplate);

        // A warm-up on both kinds, not measured, so the JIT has settled before the first round: as long as the throughput
        // run's. One round's worth was too short: the first measured round took 1.6 times the others' Host CPU.
        var warmUp = Math.Max(counts.HistoryChangesPerRound, counts.ThroughputWarmUpChanges);
        await Load.ClosedAsync(run.Api, [.. fresh, .. longLived], warmUp, counts.ClientConcurrency);
        var expected = (long)warmUp;
        await run.DrainAsync(expected, HostScenario.Stall);

        var phases = new Dictionary<bool, List<(DeliveryCheck Deliveries, ResourceUse Resources)>> { [true] = [], [false] = [] };
        for (var round = 0; round < 2 * counts.HistoryRounds; round++)
        {
            var isLongLived = round % 4 is 0 or 3;
            var before = (await run.Database.EventsAsync(HostScenario.CreditChanged)).Keys.ToHashSet();
            var mark = await run.BeginAsync();
            await Load.ClosedAsync(run.Api, isLongLived ? longLived : fresh, counts.HistoryChangesPerRound, counts.ClientConcurrency);
            expected += counts.HistoryChangesPerRound;
            await run.DrainAsync(expected, HostScenario.Stall);
            var resources = await run.EndAsync(mark);
            var committed = (await run.Database.EventsAsync(HostScenario.CreditChanged)).Where(e => !before.Contains(e.Key)).ToDictionary();
            var deliveries = DeliveryCheck.Of(committed, 1, run.Receiver.Receipts.Where(r => committed.ContainsKey(r.EventId)));
            phases[isLongLived].Add((deliveries, resources));
            Console.Error.WriteLine($"  round {round + 1} ({(isLongLived ? "long-lived" : "new")} customers): {deliveries.Received} delivered, " +
                $"{deliveries.DeliveriesPerSecond}/s, Host {resources.HostCpuSeconds} s + PostgreSQL {resources.PostgresCpuSeconds} s CPU");
        }
        var result = new HistoryResult(counts.HistoryCustomers, counts.HistoryEarlierEvents, counts.HistoryRounds,
            Phase(phases[true]), Phase(phases[false]));
        Console.Error.WriteLine($"  CPU per delivery: long-lived {result.LongLived.CpuMsPerDelivery} ms, new {result.New.CpuMsPerDelivery} ms ({result.CostRatio:0.00}x)");
        return result;
    }

    private static HistoryPhase Phase(List<(DeliveryCheck Deliveries, ResourceUse Resources)> rounds)
    {
        var received = rounds.Sum(r => r.Deliveries.Received);
        var seconds = rounds.Sum(r => r.Deliveries.Seconds);
        double PerDelivery(Func<ResourceUse, double> cpu) => Math.Round(1000 * rounds.Sum(r => cpu(r.Resources)) / Math.Max(1, received), 3);
        return new HistoryPhase(rounds.Sum(r => r.Deliveries.Expected), received, rounds.Sum(r => r.Deliveries.Lost),
            rounds.Sum(r => r.Deliveries.Duplicates), Math.Round(seconds, 2), Math.Round(received / Math.Max(0.001, seconds), 1),
            PerDelivery(u => u.HostCpuSeconds), PerDelivery(u => u.PostgresCpuSeconds));
    }
}

namespace Ellity.Bench.Scenarios;

/// <param name="OutageSeconds">How long the receiver answered 503: the load phase and the wait for its last answers.</param>
/// <param name="Backlog">Events committed and not yet delivered when the receiver came back (all of them).</param>
/// <param name="PendingDeliveries">Of those, the ones already turned into a delivery stream, waiting for a retry.</param>
/// <param name="FirstSuccessSeconds">From the recovery to the first 200.</param>
/// <param name="DrainSeconds">From the recovery to the last delivery received.</param>
/// <param name="DrainPerSecond">Deliveries received after the recovery per second of <see cref="DrainSeconds"/>.</param>
/// <param name="DrainWaitLimitSeconds">How long the scenario waits for the backlog to drain; what is left then is reported as undelivered.</param>
/// <param name="Answered503">Attempts that reached the receiver during the outage.</param>
/// <param name="SucceededPerSecond">Deliveries answered 200 in each second after the recovery: how the drain proceeds.</param>
public sealed record OutageResult(
    IReadOnlyList<int> RetrySchedule, double OutageSeconds, LoadResult Load, long Backlog, long PendingDeliveries,
    double FirstSuccessSeconds, double DrainSeconds, double DrainPerSecond, double DrainWaitLimitSeconds, long Answered503,
    DeliveryCheck Deliveries, DeliveryAudit Audit, ResourceUse Resources, IReadOnlyList<int> SucceededPerSecond);

/// <summary>
/// The receiver answers 503 while credit changes keep coming at a steady rate, then 200 again: how big the
/// backlog is, how fast it drains, and that nothing is lost or sent twice.
/// </summary>
public static class OutageDrain
{
    /// <summary>
    /// Retries soon and then every 10 s: after the receiver recovers each pending delivery is tried again
    /// within about 10 s (once the circuit breaker, open up to 30 s, lets requests through), so the drain
    /// shows the pipeline's speed rather than the schedule's gaps. 115 s in all outlasts the 60 s outage plus
    /// the breaker's 30 s, so no delivery runs out of attempts while the receiver is down.
    /// </summary>
    public static readonly int[] RetrySchedule = [5, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10];

    public static async Task<OutageResult> RunAsync(BenchSettings settings)
    {
        var counts = settings.Counts;
        await using var run = await HostScenario.StartAsync(settings, "outage");
        await run.Api.CreateWebhookAsync("outage", run.Receiver.Url, HostScenario.BodyTemplate, RetrySchedule);
        var customers = await run.Api.RegisterCustomersAsync(counts.PacedCustomers, HostScenario.SetupConcurrency);
        await run.Database.WaitUntilIdleAsync(HostScenario.IdleLimit);

        var mark = await run.BeginAsync();
        run.Receiver.Answer = 503;
        var outageStart = DateTime.UtcNow;
        Console.Error.WriteLine($"[outage] receiver answers 503; {counts.OutagePerSecond} credit changes/s offered for {counts.OutageSeconds} s");
        var load = await Load.PacedAsync(run.Api, customers, counts.OutagePerSecond, TimeSpan.FromSeconds(counts.OutageSeconds),
            maxInFlight: counts.ClientConcurrency * 2);
        var backlog = await run.Database.CountEventsAsync(HostScenario.CreditChanged);
        var pending = await run.Database.PendingDeliveriesAsync();
        var recoveredAt = DateTime.UtcNow;
        run.Receiver.Answer = 200;
        Console.Error.WriteLine($"  receiver back to 200 with {backlog} events undelivered ({pending} deliveries pending a retry)");

        var committed = await run.Database.EventsAsync(HostScenario.CreditChanged);
        // The breaker may hold everything back for its 30 s break, then a 10 s retry gap: allow for both and more.
        await run.DrainAsync(committed.Count, TimeSpan.FromSeconds(90));
        var resources = await run.EndAsync(mark);

        var receipts = run.Receiver.Receipts.ToList();
        var successes = receipts.Where(r => r.Status == 200).ToList();
        var firstSuccess = successes.Count > 0 ? (successes.Min(r => r.ReceivedAt) - recoveredAt).TotalSeconds : double.NaN;
        var deliveries = DeliveryCheck.Of(committed, 1, receipts);
        var drain = (deliveries.LastReceipt - recoveredAt).TotalSeconds;
        var perSecond = successes.GroupBy(r => (int)(r.ReceivedAt - recoveredAt).TotalSeconds).ToDictionary(g => g.Key, g => g.Count());
        var timeline = Enumerable.Range(0, perSecond.Count > 0 ? perSecond.Keys.Max() + 1 : 0).Select(second => perSecond.GetValueOrDefault(second)).ToList();
        var result = new OutageResult(RetrySchedule, Math.Round((recoveredAt - outageStart).TotalSeconds, 1), load, backlog, pending, Math.Round(firstSuccess, 2),
            Math.Round(drain, 2), Math.Round(deliveries.Received / drain, 1), counts.DrainLimitSeconds,
            receipts.Count(r => r.Status == 503), deliveries, await run.Database.AuditAsync(), resources, timeline);
        Console.Error.WriteLine($"  drained {deliveries.Received} of {backlog} in {result.DrainSeconds} s ({result.DrainPerSecond}/s), " +
            $"undelivered {deliveries.Lost} ({result.Audit.Failed} failed), duplicates {deliveries.Duplicates}");
        return result;
    }
}

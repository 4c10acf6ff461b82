namespace Ellity.Bench.Scenarios;

/// <param name="WarmUpSeconds">Before the measured part, the load climbs from 0 to the full rate and then holds it for as long: the Host is started fresh for each scenario.</param>
/// <param name="Measured">Event-to-receipt latency of the changes committed after the warm-up: the figure the target is about.</param>
/// <param name="ColdStart">Event-to-receipt latency of the changes committed during the warm-up, from the Host's fresh start.</param>
/// <param name="Deliveries">Every change of the run, warm-up included: nothing may be lost or duplicated.</param>
public sealed record LatencyResult(
    double OfferedPerSecond, double DurationSeconds, double WarmUpSeconds, int Customers, LoadResult Load, DeliveryCheck Deliveries,
    DeliveryAudit Audit, ResourceUse Resources, Latency Measured, Latency ColdStart);

/// <summary>One RSS reading of the Host, seconds into the load.</summary>
public sealed record RssSample(double AtSeconds, double RssMiB);

/// <summary>The Host's RSS over a long steady load: the mean of its first window against its last.</summary>
public sealed record SoakResult(
    LatencyResult Run, double WindowSeconds, double FirstWindowRssMiB, double LastWindowRssMiB, double GrowthPercent,
    IReadOnlyList<RssSample> Samples);

/// <summary>
/// Open-loop load at a fixed rate: event-to-receipt latency under load (60 s), and the same load kept up
/// for 5 minutes to see whether the Host's memory stays flat. Each starts a fresh Host and measures after a
/// 30 s warm-up: 15 s in which the load climbs from nothing to the full rate (so that the cold Host is not
/// handed a backlog it then carries into the measured part) and 15 s at it (the JIT recompiles the hot code
/// once the rate is reached). The latency of the warm-up is reported as the cold start.
/// </summary>
public static class LatencyUnderLoad
{
    /// <summary>How long the load climbs to its rate, and then holds it, before the measured part (each an eighth of a quick run).</summary>
    private const double RampSeconds = 15, HoldSeconds = 15;

    public static async Task<LatencyResult> RunAsync(BenchSettings settings)
    {
        return await RunAsync(settings, "latency", settings.Counts.LatencySeconds, sampleRss: null);
    }

    public static async Task<SoakResult> SoakAsync(BenchSettings settings)
    {
        var counts = settings.Counts;
        var samples = new List<RssSample>();
        var run = await RunAsync(settings, "soak", counts.SoakSeconds, samples);
        var window = counts.SoakSeconds >= 300 ? 60.0 : counts.SoakSeconds / 4.0;
        var (from, to) = (run.WarmUpSeconds, run.WarmUpSeconds + counts.SoakSeconds);
        var first = samples.Where(s => s.AtSeconds >= from && s.AtSeconds < from + window).Average(s => s.RssMiB);
        var last = samples.Where(s => s.AtSeconds >= to - window).Average(s => s.RssMiB);
        return new SoakResult(run, window, Math.Round(first, 1), Math.Round(last, 1), Math.Round((last / first - 1) * 100, 1), samples);
    }

    private static async Task<LatencyResult> RunAsync(BenchSettings settings, string name,
        int seconds, List<RssSample>? sampleRss)
    {
        var counts = settings.Counts;
        await using var run = await HostScenario.StartAsync(settings, name);
        await run.Api.CreateWebhookAsync(name, run.Receiver.Url, HostScenario.BodyTemplate);
        var customers = await run.Api.RegisterCustomersAsync(counts.PacedCustomers, HostScenario.SetupConcurrency);
        await run.Database.WaitUntilIdleAsync(HostScenario.IdleLimit);

        var mark = await run.BeginAsync();
        var (ramp, hold) = settings.Quick ? (seconds / 8.0, seconds / 8.0) : (RampSeconds, HoldSeconds);
        var warmUp = ramp + hold;
        Console.Error.WriteLine($"[{name}] {counts.PacedPerSecond} credit changes/s, open loop: {ramp} s climbing to it and {hold} s at it, then {seconds} s measured");
        // Every 5 s over a long run; a short (quick) run still gets a few readings in each window.
        var sampleEvery = Math.Min(5.0, seconds / 10.0);
        var nextSample = 0.0;
        var load = await Load.PacedAsync(run.Api, customers, counts.PacedPerSecond, TimeSpan.FromSeconds(warmUp + seconds),
            maxInFlight: 1000, rampUp: TimeSpan.FromSeconds(ramp), tick: elapsed =>
            {
                if (sampleRss is null || elapsed.TotalSeconds < nextSample) return;
                sampleRss.Add(new RssSample(Math.Round(elapsed.TotalSeconds, 1), HostScenario.MiB(ProcessStats.RssBytes(run.Host.Pid))));
                nextSample += sampleEvery;
            });
        var committed = await run.Database.EventsAsync(HostScenario.CreditChanged);
        await run.DrainAsync(committed.Count, HostScenario.Stall);
        var resources = await run.EndAsync(mark);

        var skip = TimeSpan.FromSeconds(warmUp);
        var result = new LatencyResult(counts.PacedPerSecond, seconds, warmUp, customers.Length, load,
            DeliveryCheck.Of(committed, 1, run.Receiver.Receipts), await run.Database.AuditAsync(), resources,
            DeliveryCheck.LatencyBetween(committed, run.Receiver.Receipts, skip),
            DeliveryCheck.LatencyBetween(committed, run.Receiver.Receipts, TimeSpan.Zero, skip));
        var (measured, cold) = (result.Measured, result.ColdStart);
        Console.Error.WriteLine($"  event to receipt p50 {measured.P50} ms, p95 {measured.P95} ms, p99 {measured.P99} ms; " +
            $"during the warm-up: p50 {cold.P50} ms, p95 {cold.P95} ms, p99 {cold.P99} ms");
        return result;
    }
}

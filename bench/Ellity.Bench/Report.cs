using System.Globalization;
using System.Text;

namespace Ellity.Bench;

/// <summary>The Markdown summary of a run: targets, per-scenario figures, baselines and the machine.</summary>
public static class Report
{
    public static string Markdown(BenchResults r)
    {
        var m = r.Machine;
        var md = new StringBuilder();
        md.AppendLine($"### Benchmark {r.RunId}{(r.Quick ? " (quick: small counts, not comparable with the targets)" : "")}");
        md.AppendLine();
        md.AppendLine($"Machine: {m.CpuModel}, {m.Cores} cores, {m.MemoryGiB} GiB RAM, {m.Os} (kernel {m.Kernel}), {m.Dotnet}, " +
            $"PostgreSQL {m.Postgres.GetValueOrDefault("server_version")} (fsync={m.Postgres.GetValueOrDefault("fsync")}, " +
            $"synchronous_commit={m.Postgres.GetValueOrDefault("synchronous_commit")}, full_page_writes={m.Postgres.GetValueOrDefault("full_page_writes")}, " +
            $"shared_buffers={m.Postgres.GetValueOrDefault("shared_buffers")}), commit {m.GitCommit}. " +
            $"Everything on this one machine. Load average (1/5/15 min) before the build {Load(m.LoadAverageBeforeBuild)}, " +
            $"when measuring began {Load(m.LoadAverageAtStart)}, at the end {Load(m.LoadAverageAtEnd)}.");
        md.AppendLine();

        md.AppendLine("| scenario | figure | target | measured | met? |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var target in r.Targets)
            md.AppendLine($"| {target.Scenario} | {target.Figure} | {target.Goal} | {target.Measured} | {(target.Met ? "yes" : "**no**")} |");
        foreach (var (scenario, error) in r.Failures)
            md.AppendLine($"| {scenario} | the scenario failed | | {error.ReplaceLineEndings(" ")} | **no** |");
        md.AppendLine();

        // The paced scenarios show their measured part's latency; their other figures cover the warm-up too.
        var rows = new List<(string Name, DeliveryCheck D, Latency E, DeliveryAudit A, ResourceUse U)>();
        if (r.Throughput is { } t1) rows.Add(("throughput", t1.Deliveries, t1.Deliveries.EventToReceipt, t1.Audit, t1.Resources));
        if (r.Bulk is { } bk) rows.Add(("bulk", bk.Deliveries, bk.Deliveries.EventToReceipt, bk.Audit, bk.Resources));
        if (r.Latency is { } l) rows.Add(("latency", l.Deliveries, l.Measured, l.Audit, l.Resources));
        if (r.Soak is { } s) rows.Add(("soak", s.Run.Deliveries, s.Run.Measured, s.Run.Audit, s.Run.Resources));
        if (r.FanOut is { } f) rows.Add(($"fanout ({f.Rounds.Count + 1} rounds)", f.All, f.All.EventToReceipt, f.Audit, f.Resources));
        if (r.Outage is { } o) rows.Add(("outage", o.Deliveries, o.Deliveries.EventToReceipt, o.Audit, o.Resources));
        if (rows.Count > 0)
        {
            md.AppendLine("| scenario | delivered / expected | deliveries/s | event-to-receipt p50 / p95 / p99 ms | attempts | audited | lost | dup. | Host CPU s (cores) | PostgreSQL CPU s (cores) | bench CPU s | Host peak RSS MiB | PG transactions / delivery |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var (name, d, e, a, u) in rows)
                md.AppendLine($"| {name} | {d.Received:N0} / {d.Expected:N0} | {d.DeliveriesPerSecond:N0} | " +
                    $"{e.P50:N0} / {e.P95:N0} / {e.P99:N0} | {a.Attempts:N0} | {a.Audited:N0} | " +
                    $"{d.Lost} | {d.Duplicates} | {u.HostCpuSeconds:0.0} ({u.HostCores}) | {u.PostgresCpuSeconds:0.0} ({u.PostgresCores}) | " +
                    $"{u.BenchCpuSeconds:0.0} | {u.HostPeakRssMiB:N0} | {(double)u.Transactions / Math.Max(1, d.Received):0.0} |");
            md.AppendLine();
        }

        if (r.Throughput is { } t)
            md.AppendLine($"- Throughput: {t.Changes:N0} credit changes over {t.Customers:N0} customers by {t.ClientConcurrency} API clients, " +
                $"committed in {t.Ingest.Seconds} s ({t.Ingest.OfferedPerSecond:N0}/s, API p99 {t.Ingest.ApiLatency.P99:N0} ms); " +
                $"first commit to last receipt {t.Deliveries.Seconds} s; the Host handled {t.Audit.AttemptMessages:N0} AttemptDelivery " +
                $"messages for {t.Audit.Attempts:N0} attempts (the rest found the webhook at its in-flight cap and were put back). " +
                $"Measured after a warm-up of {t.WarmUpIngest.Sent:N0} changes on the freshly started Host, all delivered first " +
                $"(cold start: {t.WarmUp.DeliveriesPerSecond:N0} deliveries/s, {t.WarmUp.Received:N0} in {t.WarmUp.Seconds} s).");
        if (r.Bulk is { } bulk)
            md.AppendLine($"- Bulk: {bulk.Changes:N0} credit changes over {bulk.Customers:N0} customers in {bulk.Ingest.Sent:N0} requests of {bulk.BatchSize} " +
                $"(one transaction each, one after the other), committed in {bulk.Ingest.Seconds} s ({bulk.Ingest.OfferedPerSecond:N0} changes/s, " +
                $"a batch's p50 {bulk.Ingest.ApiLatency.P50:N0} ms); first commit to last receipt {bulk.Deliveries.Seconds} s, after a warm-up of " +
                $"{r.Counts.ThroughputWarmUpChanges:N0} changes the same way.");
        if (r.Latency is { } lat)
            md.AppendLine($"- Latency: open loop, {lat.Load.Sent:N0} changes offered at {lat.Load.OfferedPerSecond:N0}/s " +
                $"(latest start {lat.Load.MaxLagMs:N0} ms behind schedule, API p99 {lat.Load.ApiLatency.P99:N0} ms): " +
                $"{lat.WarmUpSeconds:0.##} s of warm-up on the freshly started Host (the rate climbing from 0 for half of it), then {lat.DurationSeconds:0.##} s measured " +
                $"(p50 {lat.Measured.P50:N0} / p95 {lat.Measured.P95:N0} / p99 {lat.Measured.P99:N0} ms over {lat.Measured.Count:N0} deliveries). " +
                $"Cold start, the warm-up's changes: p50 {lat.ColdStart.P50:N0} / p95 {lat.ColdStart.P95:N0} / p99 {lat.ColdStart.P99:N0} ms.");
        if (r.FanOut is { } fan)
            md.AppendLine($"- Fan-out rounds (commit to last of {fan.Webhooks:N0} receipts): " +
                string.Join(", ", fan.Rounds.Select(x => $"{x.Deliveries.Seconds:0.00} s")) +
                $", after a first round on the fresh Host (cold start) in {fan.ColdStart.Deliveries.Seconds:0.00} s.");
        if (r.Outage is { } out1)
            md.AppendLine($"- Outage: {out1.OutageSeconds:0} s of 503 while credit changes were sent at {out1.Load.OfferedPerSecond:N0}/s " +
                $"({r.Counts.OutagePerSecond:N0}/s asked, at most {r.Counts.ClientConcurrency * 2} unanswered; {out1.Load.Sent:N0} committed), retry schedule [{string.Join(", ", out1.RetrySchedule)}] s; at recovery " +
                $"{out1.Backlog:N0} undelivered ({out1.PendingDeliveries:N0} already pending a retry); first 200 after " +
                $"{out1.FirstSuccessSeconds} s, last after {out1.DrainSeconds} s; {out1.Answered503:N0} attempts answered 503, " +
                $"{out1.Audit.CircuitOpenAttempts:N0} stopped by the open circuit, {out1.Audit.Attempts:N0} attempts in all. " +
                $"Deliveries answered 200 in each second after the recovery (first 60 s): {string.Join(" ", out1.SucceededPerSecond.Take(60))}.");
        if (r.History is { } hist)
            md.AppendLine($"- History: {hist.Customers} customers with {hist.EarlierEvents:N0} earlier credit changes each and {hist.Customers} new ones, " +
                $"{hist.Rounds} rounds of each kind (long-lived, new, new, long-lived, ...), one webhook, after a vacuum: long-lived {hist.LongLived.Received:N0} of {hist.LongLived.Changes:N0} delivered at " +
                $"{hist.LongLived.DeliveriesPerSecond:N0}/s, Host {hist.LongLived.HostCpuMsPerDelivery:0.00} + PostgreSQL {hist.LongLived.PostgresCpuMsPerDelivery:0.00} ms CPU per delivery; " +
                $"new {hist.New.Received:N0} of {hist.New.Changes:N0} at {hist.New.DeliveriesPerSecond:N0}/s, Host {hist.New.HostCpuMsPerDelivery:0.00} + " +
                $"PostgreSQL {hist.New.PostgresCpuMsPerDelivery:0.00} ms ({hist.CostRatio:0.00}x).");
        if (r.Soak is { } soak)
            md.AppendLine($"- Soak: {soak.Run.DurationSeconds:0} s measured after {soak.Run.WarmUpSeconds:0.##} s of warm-up; event to receipt " +
                $"p50 {soak.Run.Measured.P50:N0} / p95 {soak.Run.Measured.P95:N0} / p99 {soak.Run.Measured.P99:N0} ms " +
                $"(cold start p99 {soak.Run.ColdStart.P99:N0} ms). Host RSS samples during the load, warm-up included: " +
                string.Join(", ", soak.Samples.Select(x => $"{x.RssMiB:0}")) + " MiB.");
        if (r.Baselines is { } b)
        {
            md.AppendLine($"- Baselines: HTTP ceiling {b.Http.RequestsPerSecond:N0} requests/s ({b.Http.Requests:N0} requests of " +
                $"{b.Http.BodyBytes} B, {b.Http.Concurrency} concurrent, bare HttpClient to the same receiver); storage ceiling " +
                $"{b.Storage.DeliveriesPerSecond:N0} deliveries/s ({b.Storage.Deliveries:N0} x {b.Storage.EventsPerDelivery} events, " +
                $"{b.Storage.Concurrency} concurrent: {b.Storage.What}).");
            if (r.Ratios is { } ratio)
                md.AppendLine($"- Our throughput is {ratio.OfHttpCeiling.ToString("P1", CultureInfo.InvariantCulture)} of the HTTP ceiling " +
                    $"and {ratio.OfStorageCeiling.ToString("P1", CultureInfo.InvariantCulture)} of the storage ceiling.");
        }
        if (r.Templates is { } templates)
            foreach (var x in templates)
                md.AppendLine($"- Template {x.Benchmark}: {x.MeanNanoseconds} ns, {x.RendersPerSecond:N0} renders/s on one core, " +
                    $"{x.AllocatedBytes} B allocated per render; the {x.OutputChars}-char output string is {x.OutputStringBytes} B.");
        return md.ToString();
    }

    private static string Load(double[]? load) => load is null ? "?" : string.Join(" ", load.Select(x => x.ToString("0.00", CultureInfo.InvariantCulture)));
}

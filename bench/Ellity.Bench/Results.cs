using System.Runtime.InteropServices;
using Ellity.Bench.Scenarios;

namespace Ellity.Bench;

/// <summary>The machine a run measured, and how busy it was (1, 5 and 15 minute load averages, before run.sh built and when measuring began and ended).</summary>
public sealed record Machine(
    string CpuModel, int Cores, double MemoryGiB, string Os, string Kernel, string Dotnet, string GitCommit,
    IReadOnlyDictionary<string, string> Postgres, double[] LoadAverageBeforeBuild, double[] LoadAverageAtStart,
    double[]? LoadAverageAtEnd)
{
    public static async Task<Machine> DescribeAsync(BenchSettings settings, Database server) => new(
        CpuInfo("model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        Environment.ProcessorCount,
        Math.Round(MemInfoKilobytes("MemTotal:") / 1024.0 / 1024.0, 1),
        OsRelease() ?? RuntimeInformation.OSDescription,
        File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
        RuntimeInformation.FrameworkDescription,
        settings.GitCommit,
        await server.ServerSettingsAsync(),
        settings.LoadAverageBeforeBuild,
        LoadAverage(),
        null);

    /// <summary>The 1, 5 and 15 minute load averages.</summary>
    public static double[] LoadAverage() =>
        File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Select(double.Parse).ToArray();

    private static string? CpuInfo(string key) => File.ReadLines("/proc/cpuinfo")
        .FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?.Split(':', 2)[1].Trim();

    private static long MemInfoKilobytes(string key) => long.Parse(File.ReadLines("/proc/meminfo")
        .First(l => l.StartsWith(key, StringComparison.Ordinal))[key.Length..].Trim().Split(' ')[0]);

    private static string? OsRelease() => File.Exists("/etc/os-release")
        ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?
            .Split('=', 2)[1].Trim('"')
        : null;
}

/// <summary>One target of the issue, what was measured against it, and whether it was met.</summary>
public sealed record Target(string Scenario, string Figure, string Goal, string Measured, bool Met);

/// <summary>Our throughput as a fraction of what the machine's HTTP and storage can do at best.</summary>
public sealed record Ratios(double OfHttpCeiling, double OfStorageCeiling);

public sealed record BenchResults(
    string RunId, bool Quick, Machine Machine, Counts Counts,
    ThroughputResult? Throughput, BulkResult? Bulk, LatencyResult? Latency, SoakResult? Soak, FanOutResult? FanOut, OutageResult? Outage,
    HistoryResult? History, BaselinesResult? Baselines, IReadOnlyList<RenderResult>? Templates, IReadOnlyDictionary<string, string> Failures)
{
    public Ratios? Ratios => Throughput is { } t && Baselines is { } b
        ? new Ratios(Math.Round(t.Deliveries.DeliveriesPerSecond / b.Http.RequestsPerSecond, 3),
            Math.Round(t.Deliveries.DeliveriesPerSecond / b.Storage.DeliveriesPerSecond, 3))
        : null;

    public IReadOnlyList<Target> Targets
    {
        get
        {
            var targets = new List<Target>();
            if (Throughput is { } t)
            {
                var d = t.Deliveries;
                var ofStorage = Ratios?.OfStorageCeiling;
                targets.Add(new("throughput", "fully audited deliveries/s, share of the storage ceiling", ">= 50 %",
                    $"{d.DeliveriesPerSecond:N0} ({(ofStorage is { } share ? share.ToString("P1", System.Globalization.CultureInfo.InvariantCulture) : "no baseline")}; {t.Audit.Audited:N0} of {d.Received:N0} audited)",
                    ofStorage >= 0.5 && t.Audit.Audited == d.Received && d.Received == d.Expected));
                targets.Add(new("throughput", "lost / duplicates", "0 / 0", $"{d.Lost} / {d.Duplicates}", d.Lost == 0 && d.Duplicates == 0));
            }
            if (Bulk is { } bulk)
            {
                var d = bulk.Deliveries;
                var share = Baselines is { } b ? d.DeliveriesPerSecond / b.Storage.DeliveriesPerSecond : (double?)null;
                targets.Add(new("bulk", $"{bulk.Changes:N0} changes in batches of {bulk.BatchSize}: first commit to last receipt, share of the storage ceiling", ">= 100 %",
                    $"{d.DeliveriesPerSecond:N0}/s ({(share is { } s2 ? s2.ToString("P1", System.Globalization.CultureInfo.InvariantCulture) : "no baseline")}; {bulk.Audit.Audited:N0} of {d.Received:N0} audited, {d.Lost} lost, {d.Duplicates} duplicates)",
                    share >= 1 && bulk.Audit.Audited == d.Received && d.Received == d.Expected));
            }
            if (Latency is { } l)
                targets.Add(new("latency", $"p99 event-to-receipt at {l.OfferedPerSecond:0} events/s", "<= 500 ms",
                    $"{l.Measured.P99:N0} ms (offered {l.Load.OfferedPerSecond:0}/s, lost {l.Deliveries.Lost})",
                    l.Measured.P99 <= 500 && l.Deliveries.Lost == 0));
            if (FanOut is { } f)
                targets.Add(new("fanout", $"1 event to {f.Webhooks:N0} webhooks, slowest of {f.Rounds.Count} rounds after a cold one", "<= 3 s",
                    $"{f.WorstSeconds:0.00} s (cold {f.ColdStart.Deliveries.Seconds:0.00} s)", f.WorstSeconds <= 3 && f.All.Lost == 0));
            if (Outage is { } o)
            {
                targets.Add(new("outage", "backlog at recovery", ">= 50,000", $"{o.Backlog:N0}", o.Backlog >= 50_000));
                var drainShare = Baselines is { } ceilings ? o.DrainPerSecond / ceilings.Storage.DeliveriesPerSecond : (double?)null;
                targets.Add(new("outage", "drain rate", ">= 1,000/s or >= 50 % of the storage ceiling",
                    $"{o.DrainPerSecond:N0}/s ({o.Deliveries.Received:N0} in {o.DrainSeconds:N0} s" +
                    $"{(drainShare is { } s1 ? $", {s1.ToString("P1", System.Globalization.CultureInfo.InvariantCulture)} of the storage ceiling" : "")})",
                    o.DrainPerSecond >= 1000 || drainShare >= 0.5));
                var undelivered = o.Deliveries.Lost == 0 ? "0"
                    : $"{o.Deliveries.Lost:N0} undelivered ({o.Audit.Failed:N0} failed, the rest still pending after the {o.DrainWaitLimitSeconds:0} s wait)";
                targets.Add(new("outage", "lost / duplicates", "0 / 0", $"{undelivered} / {o.Deliveries.Duplicates}",
                    o.Deliveries.Lost == 0 && o.Deliveries.Duplicates == 0));
            }
            if (History is { } h)
                targets.Add(new("history", $"CPU per event, customers with {h.EarlierEvents:N0} earlier events vs new", "within 10 %",
                    $"{h.LongLived.CpuMsPerDelivery:0.00} vs {h.New.CpuMsPerDelivery:0.00} ms ({h.CostRatio:0.00}x)",
                    Math.Abs(h.CostRatio - 1) <= 0.10 && h.LongLived.Lost == 0 && h.New.Lost == 0));
            if (Templates?.FirstOrDefault(r => r.Benchmark == "RenderSeedBody") is { } body)
            {
                targets.Add(new("templates", "seed body renders/s, one core", ">= 2,000,000", $"{body.RendersPerSecond:N0}",
                    body.RendersPerSecond >= 2_000_000));
                targets.Add(new("templates", "bytes allocated per render", "only the output",
                    $"{body.AllocatedBytes} B (output string {body.OutputStringBytes} B)", body.AllocatesOnlyOutput));
            }
            if (Soak is { } s)
                targets.Add(new("soak", $"Host RSS, first vs last {s.WindowSeconds:0} s of {s.Run.DurationSeconds:0} s", "<= 10 % growth",
                    $"{s.FirstWindowRssMiB:N0} -> {s.LastWindowRssMiB:N0} MiB ({s.GrowthPercent:+0.0;-0.0} %)", s.GrowthPercent <= 10));
            return targets;
        }
    }
}

namespace Ellity.Bench;

/// <summary>The sizes of every scenario: the issue's full counts, or small ones for a smoke run.</summary>
/// <param name="ThroughputWarmUpChanges">Credit changes the throughput run makes, and waits to be delivered, before it measures: a fresh Host needs about a minute of load before its JIT has recompiled the hot code.</param>
/// <param name="ClientConcurrency">Clients changing credit at once in the closed-loop throughput run.</param>
/// <param name="CeilingConcurrency">Requests and sessions the baselines keep in flight: 32, the Host's <c>Webhooks:MaxParallelDeliveries</c> default, kept whatever that default becomes, so that the ceilings compare across runs.</param>
/// <param name="PacedCustomers">Customers the paced scenarios spread their changes over.</param>
/// <param name="HistoryCustomers">Customers of each kind in the history scenario: long-lived ones and new ones.</param>
/// <param name="HistoryEarlierEvents">Credit changes each long-lived customer has before the measured ones.</param>
/// <param name="BulkChanges">Credit changes the bulk scenario makes in batches of 500, over the throughput run's customers, after its warm-up.</param>
/// <param name="DrainLimitSeconds">How long a scenario waits for its deliveries after the load; what is missing then is reported undelivered.</param>
public sealed record Counts(
    int ThroughputChanges, int ThroughputWarmUpChanges, int ThroughputCustomers, int ClientConcurrency, int CeilingConcurrency,
    double PacedPerSecond, int LatencySeconds, int SoakSeconds, int PacedCustomers,
    int FanOutWebhooks, int FanOutRounds, double OutagePerSecond, int OutageSeconds, int DrainLimitSeconds,
    int HistoryCustomers, int HistoryEarlierEvents, int HistoryRounds, int HistoryChangesPerRound, int BulkChanges)
{
    public static readonly Counts Full = new(
        ThroughputChanges: 50_000, ThroughputWarmUpChanges: 20_000, ThroughputCustomers: 5_000, ClientConcurrency: 32, CeilingConcurrency: 32,
        PacedPerSecond: 250, LatencySeconds: 60, SoakSeconds: 300, PacedCustomers: 1_000,
        FanOutWebhooks: 1_000, FanOutRounds: 3,
        // Offered so that 60 s of outage would pile up the target's backlog of 50,000.
        OutagePerSecond: 50_000 / 60.0, OutageSeconds: 60,
        // At the targets' 1,000/s a 50,000 backlog drains in under a minute; five leave room for the breaker and retries.
        DrainLimitSeconds: 300,
        HistoryCustomers: 10, HistoryEarlierEvents: 10_000, HistoryRounds: 4, HistoryChangesPerRound: 2_500,
        BulkChanges: 100_000);

    public static readonly Counts Quick = new(
        ThroughputChanges: 1_000, ThroughputWarmUpChanges: 200, ThroughputCustomers: 100, ClientConcurrency: 32, CeilingConcurrency: 32,
        PacedPerSecond: 100, LatencySeconds: 5, SoakSeconds: 10, PacedCustomers: 100,
        FanOutWebhooks: 50, FanOutRounds: 1, OutagePerSecond: 50, OutageSeconds: 5, DrainLimitSeconds: 60,
        HistoryCustomers: 4, HistoryEarlierEvents: 300, HistoryRounds: 2, HistoryChangesPerRound: 300,
        BulkChanges: 5_000);
}

public sealed record BenchSettings(
    string Server, string HostDll, string TemplatesDll, string OperatorKey, string ResultsDirectory, string RunId,
    string GitCommit, double[] LoadAverageBeforeBuild, bool Quick, IReadOnlyList<string> Scenarios, int? Changes = null, int? WarmUp = null,
    bool Ordered = false)
{
    public static readonly string[] AllScenarios = ["baselines", "throughput", "bulk", "latency", "fanout", "outage", "history", "soak", "templates"];

    /// <summary>
    /// The scenario sizes; <c>--changes N</c> resizes the throughput run (N changes over N/10 customers) and <c>--warm-up N</c>
    /// its warm-up, for profiling and for comparing builds between full runs.
    /// </summary>
    public Counts Counts
    {
        get
        {
            var counts = Quick ? Counts.Quick : Counts.Full;
            if (Changes is { } n) counts = counts with { ThroughputChanges = n, ThroughputCustomers = Math.Max(1, n / 10) };
            if (WarmUp is { } w) counts = counts with { ThroughputWarmUpChanges = w };
            return counts;
        }
    }

    public string LogPath(string name)
    {
        var directory = Path.Combine(ResultsDirectory, "logs");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, $"{RunId}-{name}.log");
    }

    public static BenchSettings Parse(string[] args)
    {
        string Value(string name) =>
            Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1]
                : throw new ArgumentException($"{name} is required");
        var scenarios = args.Select((a, i) => (a, i)).Where(x => x.a == "--scenario" && x.i + 1 < args.Length)
            .Select(x => args[x.i + 1]).ToList();
        var unknown = scenarios.Except(AllScenarios).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"Unknown scenario {string.Join(", ", unknown)}; known: {string.Join(", ", AllScenarios)}");
        return new BenchSettings(Value("--server"), Value("--host-dll"), Value("--templates-dll"), Value("--operator-key"),
            Value("--results"), Value("--run-id"), Value("--git-commit"),
            Value("--load-before-build").Split(' ').Select(double.Parse).ToArray(), args.Contains("--quick"),
            scenarios.Count > 0 ? AllScenarios.Where(scenarios.Contains).ToList() : AllScenarios,
            Array.IndexOf(args, "--changes") >= 0 ? int.Parse(Value("--changes")) : null,
            Array.IndexOf(args, "--warm-up") >= 0 ? int.Parse(Value("--warm-up")) : null,
            args.Contains("--ordered"));
    }
}

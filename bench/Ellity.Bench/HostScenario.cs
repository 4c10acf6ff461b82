namespace Ellity.Bench;

/// <summary>
/// Everything one Host scenario runs against: its own database, a freshly started Host, a receiver and
/// the API client with a registered e-shop.
/// </summary>
public sealed class HostScenario : IAsyncDisposable
{
    /// <summary>
    /// The seed's example body, plus the event's id and commit time so the receiver can match each
    /// request to its event and measure the event-to-receipt latency.
    /// </summary>
    public const string BodyTemplate =
        """
        { "eshop":"#account.eshopId#", "email":"#customer.email#", "credit":"#customer.credit#",
          "custom": { "field":"custom_value" }, "event": { "id":"#event.id#", "occurredAt":"#event.occurredAt#" } }
        """;

    public const string CreditChanged = "credit_changed";

    /// <summary>Clients registering customers and webhooks before a measurement.</summary>
    public const int SetupConcurrency = 16;

    /// <summary>How long the Host may take to finish the work of a setup phase.</summary>
    public static readonly TimeSpan IdleLimit = TimeSpan.FromMinutes(5);

    /// <summary>No new delivery for this long ends the wait: whatever is missing then counts as lost.</summary>
    public static readonly TimeSpan Stall = TimeSpan.FromSeconds(60);

    private readonly int _postmasterPid;

    private HostScenario(BenchSettings settings, Database database, HostUnderTest host, Receiver receiver, EllityApi api, int postmasterPid)
    {
        Settings = settings;
        Database = database;
        Host = host;
        Receiver = receiver;
        Api = api;
        _postmasterPid = postmasterPid;
    }

    public BenchSettings Settings { get; }
    public Database Database { get; }
    public HostUnderTest Host { get; }
    public Receiver Receiver { get; }
    public EllityApi Api { get; }

    public static async Task<HostScenario> StartAsync(BenchSettings settings, string name)
    {
        var database = await Database.CreateAsync(settings.Server, $"bench_{name}");
        var host = await HostUnderTest.StartAsync(settings, database.ConnectionString, settings.LogPath($"host-{name}"));
        var receiver = await Receiver.StartAsync();
        var api = new EllityApi(host.Url, settings.OperatorKey, settings.Ordered);
        await api.RegisterEshopAsync($"bench-{name}");
        Console.Error.WriteLine($"[{name}] Host pid {host.Pid} on {host.Url}, database {database.Name}, log {host.LogPath}");
        return new HostScenario(settings, database, host, receiver, api, await database.PostmasterPidAsync());
    }

    /// <summary>Starts measuring: CPU marks, the Host's peak RSS reset to now, the database's transaction count.</summary>
    public async Task<Mark> BeginAsync()
    {
        ProcessStats.ResetPeakRss(Host.Pid);
        return new Mark(CpuMark.Take(Host.Pid, _postmasterPid), ProcessStats.RssBytes(Host.Pid), await Database.TransactionsAsync());
    }

    public async Task<ResourceUse> EndAsync(Mark start)
    {
        var end = CpuMark.Take(Host.Pid, _postmasterPid);
        var peak = ProcessStats.PeakRssBytes(Host.Pid);
        var rss = ProcessStats.RssBytes(Host.Pid);
        // PostgreSQL backends publish their transaction counts at most once a second.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var transactions = await Database.TransactionsAsync() - start.Transactions;
        return new ResourceUse(
            Math.Round((end.At - start.Cpu.At).TotalSeconds, 2), Math.Round(end.Host - start.Cpu.Host, 2),
            Math.Round(end.Postgres - start.Cpu.Postgres, 2), Math.Round(end.Bench - start.Cpu.Bench, 2),
            MiB(peak), MiB(start.RssBytes), MiB(rss), transactions);
    }

    public static double MiB(long bytes) => Math.Round(bytes / 1024.0 / 1024.0, 1);

    /// <summary>
    /// Waits until the receiver holds <paramref name="expected"/> distinct successful deliveries, then until the
    /// Host has recorded their outcomes (committed just after the receiver answers) so the audit sees them.
    /// Gives up when nothing new arrived for <paramref name="stall"/> or the drain limit is up; what is missing
    /// then is reported.
    /// </summary>
    public async Task DrainAsync(long expected, TimeSpan stall, TimeSpan? limit = null)
    {
        limit ??= TimeSpan.FromSeconds(Settings.Counts.DrainLimitSeconds);
        var deadline = DateTime.UtcNow + limit;
        var last = -1;
        var lastProgress = DateTime.UtcNow;
        while (Receiver.DistinctSucceeded < expected)
        {
            var now = Receiver.DistinctSucceeded;
            if (now != last) (last, lastProgress) = (now, DateTime.UtcNow);
            else if (DateTime.UtcNow - lastProgress > stall)
            {
                Console.Error.WriteLine($"  no new delivery for {stall.TotalSeconds:0} s: {now} of {expected} received");
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                Console.Error.WriteLine($"  stopped waiting after {limit.Value.TotalSeconds:0} s: {now} of {expected} received");
                return;
            }
            await Task.Delay(100);
        }
        try { await Database.WaitUntilIdleAsync(TimeSpan.FromMinutes(2)); }
        catch (TimeoutException e) { Console.Error.WriteLine($"  {e.Message}"); }
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await Receiver.DisposeAsync();
        await Host.DisposeAsync();
    }

    public sealed record Mark(CpuMark Cpu, long RssBytes, long Transactions);
}

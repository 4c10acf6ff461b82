using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Ellity.Customers.Contracts;
using Ellity.Webhooks;
using Ellity.Webhooks.Delivering;
using Ellity.Webhooks.Dispatching;
using Ellity.Webhooks.Templating;
using Ellity.Webhooks.Triggers;
using JasperFx;
using Marten;
using Weasel.Core;

namespace Ellity.Bench.Scenarios;

/// <param name="Requests">Requests sent; each answered 200 counts in <see cref="Succeeded"/>.</param>
public sealed record HttpCeilingResult(int Requests, int Concurrency, int Succeeded, double Seconds, double RequestsPerSecond,
    int BodyBytes, double BenchCpuSeconds);

/// <param name="Deliveries">Delivery streams written, each one transaction of <see cref="EventsPerDelivery"/> events.</param>
public sealed record StorageCeilingResult(int Deliveries, int Concurrency, int EventsPerDelivery, double Seconds,
    double DeliveriesPerSecond, double PostgresCpuSeconds, double BenchCpuSeconds, string What);

public sealed record BaselinesResult(HttpCeilingResult Http, StorageCeilingResult Storage);

/// <summary>
/// What this machine can do at best, measured in the same run: the same rendered requests sent by a bare
/// HttpClient loop to the same receiver, and the same delivery events appended by bare Marten.
/// </summary>
public static class Baselines
{
    public static async Task<BaselinesResult> RunAsync(BenchSettings settings)
    {
        var counts = settings.Counts;
        var requests = Render(counts.ThroughputChanges, counts.ThroughputCustomers);
        var http = await HttpCeilingAsync(requests, counts.CeilingConcurrency);
        Console.Error.WriteLine($"[baselines] HTTP: {http.RequestsPerSecond} requests/s");
        var storage = await StorageCeilingAsync(settings, requests, counts.CeilingConcurrency);
        Console.Error.WriteLine($"[baselines] storage: {storage.DeliveriesPerSecond} deliveries/s");
        return new BaselinesResult(http, storage);
    }

    /// <summary>
    /// The delivery the Host would schedule for each of <paramref name="count"/> credit changes over
    /// <paramref name="customers"/> customers: rendered by the real renderer from the benchmark's webhook,
    /// signed as the sender signs.
    /// </summary>
    private static List<DeliveryScheduled> Render(int count, int customers)
    {
        var body = BodyTemplate.TryParse(HostScenario.BodyTemplate, out var template, out _) ? template
            : throw new InvalidOperationException("The benchmark's body template does not parse.");
        var url = UrlTemplate.Parse("http://127.0.0.1/hook");
        var secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var webhookId = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;
        var deliveries = new List<DeliveryScheduled>(count);
        for (var n = 0; n < count; n++)
        {
            var customer = new CustomerSnapshot(Guid.CreateVersion7(), "bench-baselines", $"customer{n % customers}@example.cz",
                1000 + n / customers * 2, new NamedRef("retail", "Maloobchod"), new NamedRef("gold", "Zlatá"));
            var change = new CustomerCreditChangedIntegrationEvent(Guid.CreateVersion7(), now, customer, 5, $"order {n}");
            var request = RequestRenderer.Render(url, body, TriggerCatalog.CreditChanged.ValuesFor(change));
            var deliveryId = DeliveryIds.For(webhookId, change.EventId);
            var headers = new Dictionary<string, string>(request.Headers)
            {
                [DeliveryHeaders.Id] = deliveryId.ToString(),
                [DeliveryHeaders.Timestamp] = now.ToUnixTimeSeconds().ToString(),
                [DeliveryHeaders.Signature] = WebhookSender.Signature(deliveryId.ToString(), now, request.Body!, [secret]),
            };
            deliveries.Add(new DeliveryScheduled(deliveryId, customer.EshopId, webhookId, TriggerCatalog.CreditChanged.Name,
                change.EventId, change.OccurredAt, request with { Headers = headers }, now, WebhooksOptions.DefaultRetrySchedule, customer.Id));
        }
        return deliveries;
    }

    private static async Task<HttpCeilingResult> HttpCeilingAsync(List<DeliveryScheduled> deliveries, int concurrency)
    {
        await using var receiver = await Receiver.StartAsync();
        // Configured like the Host's delivery client, without its guard and circuit breaker.
        using var client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        });
        var bodies = deliveries.Select(d => Encoding.UTF8.GetBytes(d.Request.Body!)).ToArray();
        var succeeded = 0;
        var cpu = ProcessStats.CpuSeconds(Environment.ProcessId);
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, deliveries.Count, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (n, ct) =>
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, receiver.Url) { Content = new ByteArrayContent(bodies[n]) };
            foreach (var (name, value) in deliveries[n].Request.Headers)
                if (name == "Content-Type") message.Content.Headers.TryAddWithoutValidation(name, value);
                else message.Headers.TryAddWithoutValidation(name, value);
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
            await response.Content.CopyToAsync(Stream.Null, ct);
            if (response.IsSuccessStatusCode) Interlocked.Increment(ref succeeded);
        });
        var seconds = clock.Elapsed.TotalSeconds;
        return new HttpCeilingResult(deliveries.Count, concurrency, succeeded, Math.Round(seconds, 2), Math.Round(deliveries.Count / seconds, 1),
            bodies[0].Length, Math.Round(ProcessStats.CpuSeconds(Environment.ProcessId) - cpu, 2));
    }

    private static async Task<StorageCeilingResult> StorageCeilingAsync(BenchSettings settings, List<DeliveryScheduled> deliveries, int concurrency)
    {
        var database = await Database.CreateAsync(settings.Server, "bench_storage_ceiling");
        await using var store = DocumentStore.For(options =>
        {
            options.Connection(database.ConnectionString);
            options.DatabaseSchemaName = "ellity";
            options.Events.DatabaseSchemaName = "events";
            options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
            options.Events.AddEventTypes([typeof(DeliveryScheduled), typeof(DeliveryAttempted), typeof(DeliverySucceeded)]);
            options.AutoCreateSchemaObjects = AutoCreate.All;
        });
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var postmaster = await database.PostmasterPidAsync();

        var postgresCpu = ProcessStats.TreeCpuSeconds(postmaster);
        var benchCpu = ProcessStats.CpuSeconds(Environment.ProcessId);
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, deliveries.Count, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (n, ct) =>
        {
            var scheduled = deliveries[n];
            var now = DateTimeOffset.UtcNow;
            await using var session = store.LightweightSession();
            session.Events.StartStream(scheduled.DeliveryId, scheduled,
                new DeliveryAttempted(1, now, 1, 200, null, null, false, scheduled.WebhookId),
                new DeliverySucceeded(now, 1, scheduled.WebhookId));
            await session.SaveChangesAsync(ct);
        });
        var seconds = clock.Elapsed.TotalSeconds;
        return new StorageCeilingResult(deliveries.Count, concurrency, 3, Math.Round(seconds, 2), Math.Round(deliveries.Count / seconds, 1),
            Math.Round(ProcessStats.TreeCpuSeconds(postmaster) - postgresCpu, 2),
            Math.Round(ProcessStats.CpuSeconds(Environment.ProcessId) - benchCpu, 2),
            "one Marten session and SaveChangesAsync per delivery: a new stream with DeliveryScheduled (the rendered request), " +
            "DeliveryAttempted (200) and DeliverySucceeded, in a scratch database on the same server; no projections, no messaging");
    }
}

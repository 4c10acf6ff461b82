using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ellity.Tests.Infrastructure;
using Ellity.Tests.Reliability;

namespace Ellity.Tests.Operations;

/// <summary>
/// The Host as its own process, as an operator runs it. Metrics are per process: OpenTelemetry listens to meters by name
/// across the process, so a second Host in the test process (another collection's) would mix its instruments into this
/// one's scrape, and take them away again when it stops.
/// </summary>
public sealed class ObservedHost : IAsyncLifetime
{
    private string _db = "";

    public HostProcess Host { get; private set; } = null!;

    /// <summary>Answers 500 on paths ending in <c>/fail</c>, 200 on any other.</summary>
    public ScriptedReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _db = await TestPostgres.CreateDatabaseAsync();
        Receiver = await ScriptedReceiver.StartAsync((c, _) =>
        {
            c.Response.StatusCode = c.Request.Path.Value!.EndsWith("/fail") ? 500 : 200;
            return Task.CompletedTask;
        });
        Host = await HostProcess.StartAsync(_db, ScriptedReceiver.FreePort());
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Receiver.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(_db);
    }

    public async Task<JsonNode> GetAsync(string path)
    {
        using var response = await Host.Client.GetAsync(Host.Url + path);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    public async Task<Guid> CreateWebhookAsync(string eshop, string url, int[]? retrySchedule = null) =>
        (await Host.PostAsync($"/api/eshops/{eshop}/webhooks",
            new { name = "observed", trigger = "customer.credit.changed", url, body = (string?)null, retrySchedule }))["id"]!.GetValue<Guid>();

    public async Task<Guid> RegisterCustomerAsync(string eshop) =>
        (await Host.PostAsync($"/api/eshops/{eshop}/customers", new { email = "jana@example.cz", credit = 100m }))["id"]!.GetValue<Guid>();

    /// <summary>Polls the webhook's delivery log until <paramref name="count"/> deliveries reached a final status.</summary>
    public async Task WaitForFinishedDeliveriesAsync(string eshop, Guid webhook, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var items = (await GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/deliveries?limit=500"))["items"]!.AsArray();
            if (items.Count(d => d!["status"]!.GetValue<string>() != "pending") >= count) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Expected {count} finished deliveries, got: {items.ToJsonString()}");
            await Task.Delay(100);
        }
    }
}

/// <summary>What an operator sees: health endpoints, Prometheus metrics, one trace from the customer command to the webhook call.</summary>
[Collection(ProcessCollection.Name)]
public sealed class ObservabilityTests(ObservedHost app) : IClassFixture<ObservedHost>
{
    private async Task<string> Metrics() => await app.Host.Client.GetStringAsync(app.Host.Url + "/metrics");

    private static double Sum(string metrics, string name, string label)
    {
        var pattern = new Regex($"^{Regex.Escape(name)}\\{{([^}}]*)\\}} ([0-9.eE+-]+)", RegexOptions.Multiline);
        return pattern.Matches(metrics).Where(m => m.Groups[1].Value.Contains(label)).Sum(m => double.Parse(m.Groups[2].Value,
            System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task liveness_and_readiness_report_the_database_and_the_subscription()
    {
        using var anonymous = new HttpClient();
        using var live = await anonymous.GetAsync(app.Host.Url + "/health/live");
        Assert.Equal(200, (int)live.StatusCode);

        using var ready = await anonymous.GetAsync(app.Host.Url + "/health/ready");
        var report = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
        Assert.Equal(200, (int)ready.StatusCode);
        Assert.Equal("Healthy", report["status"]!.GetValue<string>());
        Assert.Equal("Healthy", report["checks"]!["postgresql"]!["status"]!.GetValue<string>());
        Assert.Equal("Healthy", report["checks"]!["subscriptions"]!["status"]!.GetValue<string>());
        Assert.NotNull(report["checks"]!["subscriptions"]!["data"]!["lag"]);
    }

    [Fact]
    public async Task deliveries_show_up_in_the_metrics_by_outcome_with_durations_and_latency()
    {
        var before = await Metrics();
        var eshop = await app.Host.NewEshopAsync();
        var ok = await app.CreateWebhookAsync(eshop, app.Receiver.Url + "/ok");
        var failing = await app.CreateWebhookAsync(eshop, app.Receiver.Url + "/fail", retrySchedule: []);
        var customer = await app.RegisterCustomerAsync(eshop);
        for (var n = 0; n < 3; n++) await app.Host.PostAsync($"/api/eshops/{eshop}/customers/{customer}/credit", new { value = 1m });
        await app.WaitForFinishedDeliveriesAsync(eshop, ok, 3);
        await app.WaitForFinishedDeliveriesAsync(eshop, failing, 3);

        const string succeeded = "outcome=\"succeeded\"", failed = "outcome=\"failed\"";
        // The exporter serves a scrape from a cache for a few hundred milliseconds: wait for a fresh one.
        var after = await Metrics();
        double Attempts(string outcome) => Sum(after, "ellity_webhooks_attempts_total", outcome) - Sum(before, "ellity_webhooks_attempts_total", outcome);
        for (var wait = Stopwatch.StartNew(); (Attempts(succeeded) < 3 || Attempts(failed) < 3) && wait.Elapsed < TimeSpan.FromSeconds(5);)
        {
            await Task.Delay(100);
            after = await Metrics();
        }
        Assert.True(Attempts(succeeded) >= 3, after);
        Assert.True(Attempts(failed) >= 3);
        Assert.True(Sum(after, "ellity_webhooks_deliveries_total", failed) - Sum(before, "ellity_webhooks_deliveries_total", failed) >= 3);
        Assert.True(Sum(after, "ellity_webhooks_attempt_duration_seconds_count", succeeded)
            - Sum(before, "ellity_webhooks_attempt_duration_seconds_count", succeeded) >= 3);
        Assert.True(Sum(after, "ellity_webhooks_delivery_latency_seconds_count", "customer.credit.changed")
            - Sum(before, "ellity_webhooks_delivery_latency_seconds_count", "customer.credit.changed") >= 3);
        Assert.Contains("ellity_webhooks_backlog", after);
        // First attempts not yet made are messages in the durable inbox, which docs/operations.md points operators to.
        Assert.Matches("(?m)^wolverine_inbox_count", after);
        Assert.Contains("http_client_request_duration_seconds", after);
        // Nothing that tells shops apart, nor where their receivers are.
        Assert.DoesNotContain(eshop, after);
        Assert.DoesNotContain(new Uri(app.Receiver.Url).Authority, after);
        var outgoing = after.Split('\n').Where(line => line.StartsWith("http_client_") || line.StartsWith("dns_")).ToList();
        Assert.NotEmpty(outgoing);
        Assert.DoesNotContain(outgoing, line => line.Contains("server_address") || line.Contains("server_port") || line.Contains("dns_question_name"));
    }

    [Fact]
    public async Task the_metrics_are_the_operators_alone()
    {
        var eshop = AppFixture.NewEshopId();
        using var created = await app.Host.Client.PostAsJsonAsync(app.Host.Url + "/api/eshops", new { eshopId = eshop, name = "Shop " + eshop });
        var shopKey = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["apiKey"]!.GetValue<string>();
        using var client = new HttpClient();

        using var anonymous = await client.GetAsync(app.Host.Url + "/metrics");
        using var shop = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, app.Host.Url + "/metrics")
        {
            Headers = { Authorization = new("Bearer", shopKey) },
        });

        Assert.Equal(401, (int)anonymous.StatusCode);
        Assert.Equal(403, (int)shop.StatusCode);
        Assert.DoesNotContain("ellity_", await shop.Content.ReadAsStringAsync());
        Assert.Contains("ellity_webhooks_backlog", await Metrics());
    }

    [Fact]
    public async Task one_trace_runs_from_the_customer_command_to_the_webhook_call()
    {
        var eshop = await app.Host.NewEshopAsync();
        var path = $"/traced-{Guid.NewGuid():N}";
        var webhook = await app.CreateWebhookAsync(eshop, app.Receiver.Url + path);
        var customer = await app.RegisterCustomerAsync(eshop);

        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{app.Host.Url}/api/eshops/{eshop}/customers/{customer}/credit")
        {
            Content = JsonContent.Create(new { value = 5 }),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await app.Host.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();

        await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 1);
        var received = Assert.Single(app.Receiver.Requests, r => r.PathAndQuery.EndsWith(path));
        Assert.True(received.Headers.TryGetValue("traceparent", out var traceparent), "the webhook call carries no trace context");
        Assert.Equal(traceId.ToString(), traceparent!.Split('-')[1]);
    }
}

using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ellity.Tests.Infrastructure;

namespace Ellity.Tests.Operations;

/// <summary>What an operator sees: health endpoints, Prometheus metrics, one trace from the customer command to the webhook call.</summary>
[Collection(AppCollection.Name)]
public sealed class ObservabilityTests(AppFixture app)
{
    private async Task<string> Metrics()
    {
        var client = app.Host.Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", AppFixture.OperatorKey);
        return await client.GetStringAsync("/metrics");
    }

    private static double Sum(string metrics, string name, string label)
    {
        var pattern = new Regex($"^{Regex.Escape(name)}\\{{([^}}]*)\\}} ([0-9.eE+-]+)", RegexOptions.Multiline);
        return pattern.Matches(metrics).Where(m => m.Groups[1].Value.Contains(label)).Sum(m => double.Parse(m.Groups[2].Value,
            System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task liveness_and_readiness_report_the_database_and_the_subscription()
    {
        var client = app.Host.Server.CreateClient();
        using var live = await client.GetAsync("/health/live");
        Assert.Equal(200, (int)live.StatusCode);

        using var ready = await client.GetAsync("/health/ready");
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
        var eshop = await app.NewEshopAsync();
        var ok = await app.CreateWebhookAsync(eshop, "customer.credit.changed", app.Receiver.NewEndpoint(), null);
        var failing = await app.CreateWebhookAsync(eshop, "customer.credit.changed", app.Receiver.NewEndpoint(status: 500), null, retrySchedule: []);
        var customer = await app.RegisterCustomerAsync(eshop);
        for (var n = 0; n < 3; n++) await app.ChangeCreditAsync(eshop, customer, 1m);
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
        // First attempts not yet made are messages in the durable inbox, which the README points operators to.
        Assert.Matches("(?m)^wolverine_inbox_count", after);
        Assert.Contains("http_client_request_duration_seconds", after);
        // Nothing that tells shops apart, nor where their receivers are.
        Assert.DoesNotContain(eshop, after);
        Assert.DoesNotContain(new Uri(app.Receiver.BaseUrl).Authority, after);
        var outgoing = after.Split('\n').Where(line => line.StartsWith("http_client_") || line.StartsWith("dns_")).ToList();
        Assert.NotEmpty(outgoing);
        Assert.DoesNotContain(outgoing, line => line.Contains("server_address") || line.Contains("server_port") || line.Contains("dns_question_name"));
    }

    [Fact]
    public async Task the_metrics_are_the_operators_alone()
    {
        var (_, shopKey) = await app.RegisterEshopAsync();
        var client = app.Host.Server.CreateClient();

        using var anonymous = await client.GetAsync("/metrics");
        using var shop = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new("Bearer", shopKey) } });

        Assert.Equal(401, (int)anonymous.StatusCode);
        Assert.Equal(403, (int)shop.StatusCode);
        Assert.DoesNotContain("ellity_", await shop.Content.ReadAsStringAsync());
        Assert.Contains("ellity_webhooks_backlog", await Metrics());
    }

    [Fact]
    public async Task one_trace_runs_from_the_customer_command_to_the_webhook_call()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        await app.CreateWebhookAsync(eshop, "customer.credit.changed", endpoint, null);
        var customer = await app.RegisterCustomerAsync(eshop);

        var traceId = ActivityTraceId.CreateRandom();
        var client = app.Host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/eshops/{eshop}/customers/{customer}/credit")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { value = 5 }),
        };
        request.Headers.Authorization = new("Bearer", AppFixture.OperatorKey);
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();

        var received = await app.Receiver.WaitForRequestsAsync(endpoint, 1);
        Assert.True(received[0].Headers.TryGetValue("traceparent", out var traceparent), "the webhook call carries no trace context");
        Assert.Equal(traceId.ToString(), traceparent!.Split('-')[1]);
    }
}

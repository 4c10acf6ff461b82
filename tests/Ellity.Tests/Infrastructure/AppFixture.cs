using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alba;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ellity.Tests.Webhooks.Triggers;
using Ellity.Webhooks;
using Wolverine;

namespace Ellity.Tests.Infrastructure;

/// <summary>
/// One Host (in-process, real PostgreSQL, real Wolverine durable queues) and one real receiver per
/// test collection. Tests isolate themselves by using their own e-shop id and receiver path.
/// </summary>
public class AppFixture : IAsyncLifetime
{
    public IAlbaHost Host { get; private set; } = null!;
    public Receiver Receiver { get; } = new();
    public MailServer Mail { get; } = new();
    public LogCapture Logs { get; } = new();
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        ConnectionString = await TestPostgres.CreateDatabaseAsync();
        await Receiver.StartAsync();
        JasperFxEnvironment.AutoStartHost = true;
        Host = await AlbaHost.For<Program>(builder =>
        {
            builder.UseSetting("ConnectionStrings:Ellity", ConnectionString);
            foreach (var (key, value) in Mail.HostSettings) builder.UseSetting(key, value);
            foreach (var (key, value) in Settings) builder.UseSetting(key, value);
            builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
            builder.ConfigureServices(services =>
            {
                services.RunWolverineInSoloMode();
                services.DisableAllExternalWolverineTransports();
                services.AddWebhookTrigger(TestTriggers.GroupChanged);
            });
        });
    }

    /// <summary>How long one attempt may take in this fixture's Host.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Configuration the Host runs with in this fixture.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Webhooks:AttemptTimeout"] = AttemptTimeout.ToString(),
        ["Webhooks:AllowedNetworks:0"] = "127.0.0.0/8",
        // The minute's check for alerts due by time alone, every second: a test waits for the shop's minute, not two.
        ["Webhooks:FailingCheckInterval"] = "00:00:01",
        ["Access:OperatorKey"] = OperatorKey,
    };

    /// <summary>Tests act as the operator unless they pass an e-shop's key.</summary>
    public const string OperatorKey = "test-operator-key-0123456789";

    public async Task DisposeAsync()
    {
        // Stopped, not disposed: disposing a host disposes its meters, and then the other in-process hosts' meters of the
        // same name stop reporting too (open-telemetry/opentelemetry-dotnet#6412). The test process ends soon anyway.
        await Host.StopAsync();
        await Receiver.DisposeAsync();
        await Mail.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(ConnectionString);
    }

    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    public static string NewEshopId() => "shop-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A new registered e-shop (every e-shop route needs one); the tests act for it with the operator key.</summary>
    public async Task<string> NewEshopAsync() => (await RegisterEshopAsync()).Eshop;

    /// <summary>A new registered e-shop and its API key; it has added the Webhooks feature unless told otherwise.</summary>
    public async Task<(string Eshop, string Key)> RegisterEshopAsync(bool withWebhooks = true)
    {
        var eshop = NewEshopId();
        var created = await PostAsync("/api/eshops", new { eshopId = eshop, name = "Shop " + eshop }, 201);
        if (withWebhooks) await PostAsync($"/api/eshops/{eshop}/features/webhooks", null);
        return (eshop, created.AsRegisteredEshop().ApiKey);
    }

    public async Task<(int Status, JsonNode? Body)> SendAsync(HttpMethod method, string url, object? body = null,
        string? key = OperatorKey)
    {
        var client = Host.Server.CreateClient();
        using var request = new HttpRequestMessage(method, url);
        if (key is not null) request.Headers.Authorization = new("Bearer", key);
        if (body is string raw) request.Content = new StringContent(raw, System.Text.Encoding.UTF8, "application/json");
        else if (body is not null) request.Content = JsonContent.Create(body);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        // Only a JSON document is parsed: other answers (an NDJSON export, say) are not one.
        var json = response.Content.Headers.ContentType?.MediaType is "application/json" or "application/problem+json";
        return ((int)response.StatusCode, json && !string.IsNullOrWhiteSpace(text) ? JsonNode.Parse(text) : null);
    }

    public async Task<JsonNode> ExpectAsync(int status, HttpMethod method, string url, object? body = null)
    {
        var (actual, json) = await SendAsync(method, url, body);
        // A 500 says nothing of its cause; the Host's last logged exceptions do.
        Assert.True(actual == status, $"{method} {url}: expected {status}, got {actual}: {json?.ToJsonString()}"
            + (actual >= 500 ? "\n" + string.Join("\n", Logs.Lines.Where(l => l.Contains("Exception")).TakeLast(3)) : ""));
        return json ?? new JsonObject();
    }

    public Task<JsonNode> PostAsync(string url, object? body, int status = 200) => ExpectAsync(status, HttpMethod.Post, url, body);
    public Task<JsonNode> PutAsync(string url, object? body, int status = 200) => ExpectAsync(status, HttpMethod.Put, url, body);
    public Task<JsonNode> GetAsync(string url, int status = 200) => ExpectAsync(status, HttpMethod.Get, url);

    public async Task<Guid> RegisterCustomerAsync(string eshopId, string email = "jana@example.cz", decimal credit = 100m,
        object? tier = null, object? group = null)
    {
        var customer = await PostAsync($"/api/eshops/{eshopId}/customers",
            new { email, credit, tier, group }, 201);
        return customer.AsCustomer().Id;
    }

    public async Task<Guid> CreateWebhookAsync(string eshopId, string trigger, string url, string? body, bool enabled = true,
        string name = "Test webhook", int[]? retrySchedule = null)
    {
        var webhook = await PostAsync($"/api/eshops/{eshopId}/webhooks", new { name, trigger, url, body, enabled, retrySchedule }, 201);
        return webhook.AsCreatedWebhook().Id;
    }

    public Task<JsonNode> ChangeCreditAsync(string eshopId, Guid customerId, decimal value, string? reason = null) =>
        PostAsync($"/api/eshops/{eshopId}/customers/{customerId}/credit", new { value, reason });

    /// <summary>Polls the delivery log until <paramref name="count"/> deliveries reached a final status.</summary>
    public Task<JsonArray> WaitForFinishedDeliveriesAsync(string eshopId, Guid webhookId, int count) =>
        WaitForDeliveriesAsync(eshopId, webhookId, deliveries =>
            deliveries.AsDeliveries().Count(d => d.Status != "pending") >= count, $"{count} finished deliveries");

    /// <summary>Polls the delivery log until <paramref name="done"/> holds.</summary>
    public async Task<JsonArray> WaitForDeliveriesAsync(string eshopId, Guid webhookId, Func<JsonArray, bool> done,
        string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var deliveries = (JsonArray)(await GetAsync($"/api/eshops/{eshopId}/webhooks/{webhookId}/deliveries?limit=500"))["items"]!;
            if (done(deliveries)) return deliveries;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Expected {what}, got: {deliveries.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// The one request <paramref name="endpoint"/> received, asserted once the e-shop's delivery log shows every delivery
    /// to it finished, with one attempt among them: a second attempt, a retry or a second request fails the test, instead
    /// of passing unseen because it came a moment later.
    /// </summary>
    public async Task<ReceivedRequest> SingleRequestAsync(string eshopId, string endpoint)
    {
        await Receiver.WaitForRequestsAsync(endpoint, 1);
        // The request arrives before its attempt is recorded: the log may not show its delivery yet.
        var log = await WaitForAsync($"/api/eshops/{eshopId}/deliveries?limit=500",
            page => DeliveriesTo(endpoint, page) is { Count: > 0 } deliveries && deliveries.All(d => d.Status != "pending"),
            $"the deliveries to {endpoint} finished");
        Assert.Single(DeliveriesTo(endpoint, log).SelectMany(d => d.Attempts));
        return Assert.Single(Receiver.RequestsTo(endpoint));

        static List<DeliveryView> DeliveriesTo(string endpoint, JsonNode page) => [.. page.AsDeliveryPage().Items
            .Where(d => d.Request.Url.StartsWith(endpoint, StringComparison.Ordinal))];
    }

    /// <summary>Polls a GET until <paramref name="done"/> holds.</summary>
    public async Task<JsonNode> WaitForAsync(string url, Func<JsonNode, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var json = await GetAsync(url);
            if (done(json)) return json;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Expected {what}, got: {json.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    public async Task<string[]> EventTypesAsync(Guid streamId)
    {
        await using var session = Store.QuerySession();
        return (await session.Events.FetchStreamAsync(streamId)).Select(e => e.EventTypeName).ToArray();
    }
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "app";
}

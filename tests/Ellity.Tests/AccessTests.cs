using System.Text.Json.Nodes;
using Ellity.Tests.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ellity.Tests;

/// <summary>API keys: every e-shop route refuses strangers and hides other shops' data.</summary>
[Collection(AppCollection.Name)]
public sealed class AccessTests(AppFixture app)
{
    [Fact]
    public async Task only_the_operator_registers_eshops_and_each_key_is_shown_once()
    {
        var (eshop, key) = await app.RegisterEshopAsync();

        Assert.StartsWith("ek_", key);
        await app.ExpectAsync(409, HttpMethod.Post, "/api/eshops", new { eshopId = eshop, name = "again" });
        Assert.Equal(401, (await app.SendAsync(HttpMethod.Post, "/api/eshops", new { eshopId = "x1", name = "x" }, key: null)).Status);
        Assert.Equal(403, (await app.SendAsync(HttpMethod.Post, "/api/eshops", new { eshopId = "x2", name = "x" }, key: key)).Status);
        var read = await app.GetAsync($"/api/eshops/{eshop}");
        Assert.Null(read["apiKey"]);
        await using var session = app.Store.QuerySession();
        var events = await session.Events.QueryAllRawEvents().Where(e => e.EventTypeName == "eshop_registered").ToListAsync();
        Assert.DoesNotContain(events, e => System.Text.Json.JsonSerializer.Serialize(e.Data).Contains(key));
    }

    [Fact]
    public async Task a_rotated_key_stops_working_and_the_new_one_works()
    {
        var (eshop, old) = await app.RegisterEshopAsync();

        var rotated = await app.ExpectAsync(200, HttpMethod.Post, $"/api/eshops/{eshop}/api-keys/rotate", null);
        var key = rotated["apiKey"]!.GetValue<string>();

        Assert.Equal(401, (await app.SendAsync(HttpMethod.Get, $"/api/eshops/{eshop}/webhooks", key: old)).Status);
        Assert.Equal(200, (await app.SendAsync(HttpMethod.Get, $"/api/eshops/{eshop}/webhooks", key: key)).Status);
    }

    [Fact]
    public async Task every_eshop_route_answers_401_without_a_key_404_to_another_shops_key_and_serves_its_own()
    {
        var (eshop, key) = await app.RegisterEshopAsync();
        var (_, otherKey) = await app.RegisterEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        var webhook = (await app.ExpectAsync(201, HttpMethod.Post, $"/api/eshops/{eshop}/webhooks",
            new { name = "w", trigger = "customer.credit.changed", url = endpoint }))["id"]!.GetValue<string>();
        var customer = await app.RegisterCustomerAsync(eshop);
        await app.ChangeCreditAsync(eshop, customer, 1m);
        var delivery = (await app.WaitForFinishedDeliveriesAsync(eshop, Guid.Parse(webhook), 1))[0]!["id"]!.GetValue<string>();
        var job = (await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/resyncs", new { }, 202))["id"]!.GetValue<string>();
        var values = new Dictionary<string, string>
        {
            ["eshopId"] = eshop, ["webhookId"] = webhook, ["customerId"] = customer.ToString(), ["deliveryId"] = delivery, ["jobId"] = job,
        };

        var routes = app.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/eshops/{eshopId}") == true)
            .SelectMany(e => e.Metadata.GetOrderedMetadata<HttpMethodMetadata>().SelectMany(m => m.HttpMethods)
                .Select(method => (Method: method, Url: Fill(e.RoutePattern.RawText!, values))))
            .Distinct()
            // Deleting and rotating the key change what later calls see: they go last.
            .OrderBy(r => r.Url.EndsWith("/api-keys/rotate") ? 2 : r.Method == "DELETE" ? 1 : 0)
            .ToList();
        Assert.True(routes.Count >= 20, $"only {routes.Count} e-shop routes found");

        var wrong = new List<string>();
        foreach (var (method, url) in routes)
        {
            var body = method is "POST" or "PUT" ? "{}" : null;
            var none = await app.SendAsync(new HttpMethod(method), url, body, key: null);
            var other = await app.SendAsync(new HttpMethod(method), url, body, key: otherKey);
            var own = await app.SendAsync(new HttpMethod(method), url, body, key: key);
            if (none.Status != 401) wrong.Add($"{method} {url} without a key: {none.Status}");
            if (other.Status != 404) wrong.Add($"{method} {url} with another shop's key: {other.Status}");
            if (own.Status is 401 or 403 or 404 or >= 500) wrong.Add($"{method} {url} with its own key: {own.Status} {own.Body?.ToJsonString()}");
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task no_key_or_secret_ever_appears_in_the_logs()
    {
        var (eshop, key) = await app.RegisterEshopAsync();
        var rotated = (await app.SendAsync(HttpMethod.Post, $"/api/eshops/{eshop}/api-keys/rotate", null, key: key)).Body!["apiKey"]!.GetValue<string>();
        var endpoint = app.Receiver.NewEndpoint();
        var created = await app.PostAsync($"/api/eshops/{eshop}/webhooks",
            new { name = "w", trigger = "customer.credit.changed", url = endpoint, body = "{\"c\": #customer.credit#}" }, 201);
        var webhook = created["id"]!.GetValue<Guid>();
        var newSecret = (await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/secret/rotate", null))["secret"]!.GetValue<string>();
        var customer = await app.RegisterCustomerAsync(eshop);
        await app.ChangeCreditAsync(eshop, customer, 1m);
        var request = await app.SingleRequestAsync(eshop, endpoint);
        await app.SendAsync(HttpMethod.Get, $"/api/eshops/{eshop}/webhooks", key: key);
        await app.SendAsync(HttpMethod.Get, $"/api/eshops/{eshop}/webhooks", key: "ek_not-a-real-key");

        var secrets = new[]
        {
            key, rotated, AppFixture.OperatorKey, created["secret"]!.GetValue<string>(), newSecret,
            request.Headers["webhook-signature"].Split(' ')[0]["v1,".Length..],
        };
        Assert.NotEmpty(app.Logs.Lines);
        var leaks = app.Logs.Lines.Where(line => secrets.Any(line.Contains)).ToList();
        Assert.True(leaks.Count == 0, string.Join("\n", leaks.Take(5)));
    }

    [Fact]
    public async Task the_case_of_the_path_changes_nothing_of_who_may_call_it()
    {
        var (eshop, key) = await app.RegisterEshopAsync();
        await app.CreateWebhookAsync(eshop, "customer.credit.changed", "https://erp.example.cz/", null);

        Assert.Equal(401, (await app.SendAsync(HttpMethod.Get, $"/API/eshops/{eshop}/webhooks", key: null)).Status);
        Assert.Equal(401, (await app.SendAsync(HttpMethod.Post, "/API/eshops", new { eshopId = AppFixture.NewEshopId(), name = "x" }, key: null)).Status);
        Assert.Equal(403, (await app.SendAsync(HttpMethod.Post, "/Api/EShops", new { eshopId = AppFixture.NewEshopId(), name = "x" }, key: key)).Status);
        var listed = await app.SendAsync(HttpMethod.Get, $"/Api/EShops/{eshop}/WebHooks", key: key);
        Assert.Equal(200, listed.Status);
        Assert.Single(listed.Body!.AsArray());
    }

    [Fact]
    public async Task an_encoded_or_unregistered_eshop_id_is_not_found_and_never_becomes_a_tenant()
    {
        var (eshop, key) = await app.RegisterEshopAsync();
        var body = new { name = "w", trigger = "customer.credit.changed", url = "https://erp.example.cz/" };
        var encoded = eshop.Replace("shop-", "shop-%2573");

        Assert.Equal(404, (await app.SendAsync(HttpMethod.Post, $"/api/eshops/{encoded}/webhooks", body, key: key)).Status);
        Assert.Equal(404, (await app.SendAsync(HttpMethod.Post, $"/api/eshops/{encoded}/webhooks", body)).Status);
        Assert.Equal(404, (await app.SendAsync(HttpMethod.Post, $"/api/eshops/{AppFixture.NewEshopId()}/customers",
            new { email = "a@b.cz" })).Status);
        await using var session = app.Store.QuerySession();
        Assert.Empty(await session.Query<Ellity.Webhooks.Webhook>().Where(w => w.EshopId.Contains("%")).ToListAsync());
        Assert.Equal(201, (await app.SendAsync(HttpMethod.Post, $"/api/eshops/{eshop.Replace("shop-", "%73hop-")}/webhooks", body, key: key)).Status);
    }

    [Fact]
    public async Task a_request_with_a_deliverys_marks_is_refused_so_a_webhook_cannot_call_this_service_in_a_loop()
    {
        var (eshop, key) = await app.RegisterEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        await app.CreateWebhookAsync(eshop, "customer.credit.changed", endpoint, "{\"value\": 1}");
        var customer = await app.RegisterCustomerAsync(eshop, credit: 10m);
        await app.ChangeCreditAsync(eshop, customer, 1m);
        var delivered = (await app.Receiver.WaitForRequestsAsync(endpoint, 1))[0];

        // The delivery itself, replayed against the API as if the webhook's URL were this service's credit endpoint.
        string[][] marks = [["User-Agent", "webhook-id", "webhook-timestamp", "webhook-signature"], ["User-Agent"], ["webhook-id"]];
        foreach (var names in marks)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/eshops/{eshop}/customers/{customer}/credit")
            {
                Content = new StringContent("{\"value\": 1}", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", key);
            foreach (var name in names) request.Headers.TryAddWithoutValidation(name, delivered.Headers[name]);
            using var response = await app.Host.Server.CreateClient().SendAsync(request);

            Assert.Equal(403, (int)response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        var after = await app.GetAsync($"/api/eshops/{eshop}/customers/{customer}");
        Assert.Equal(11m, after["credit"]!.GetValue<decimal>());
    }

    private static string Fill(string pattern, IReadOnlyDictionary<string, string> values) =>
        "/" + string.Join('/', pattern.TrimStart('/').Split('/').Select(part =>
            part.StartsWith('{') ? values[part.Trim('{', '}').Split(':')[0]] : part));
}

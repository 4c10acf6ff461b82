using System.Text.Json.Nodes;
using Ellity.Tests.Infrastructure;

namespace Ellity.Tests;

/// <summary>Bad input gets a 4xx problem, never a 500, and changes nothing.</summary>
[Collection(AppCollection.Name)]
public sealed class HostileInputTests(AppFixture app)
{
    private static readonly string[] Bodies =
    [
        "null", "", "[]", "42", "\"text\"", "{", "{\"a\":}", "{\"name\": 5}", "{\"enabled\": \"yes\"}",
        "{\"value\": \"abc\"}", "{\"value\": 1e400}", "{\"credit\": -1e30}", "{\"body\": {\"a\": 1}}",
        "{\"name\": \"x\u0001\", \"trigger\": \"customer.credit.changed\", \"url\": \"https://x.example.cz/\"}",
        "{\"name\": \"x\", \"trigger\": \"customer.nope\", \"url\": \"https://x.example.cz/\"}",
        "{\"name\": \"x\", \"trigger\": \"customer.credit.changed\", \"url\": \"https://x.example.cz/\", \"body\": \"{\\\"a\\\": #customer.credit}\"}",
        "{\"email\": \"" + new string('a', 300) + "@example.cz\"}",
        "{\"id\": \"\", \"name\": \"\"}",
    ];

    [Fact]
    public async Task malformed_bodies_on_every_write_endpoint_get_a_4xx_problem_and_change_nothing()
    {
        var eshop = AppFixture.NewEshopId();
        var customer = await app.RegisterCustomerAsync(eshop, credit: 10m, tier: new { id = "gold", name = "Gold" });
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", "https://erp.example.cz/", null);
        var before = await Snapshot(eshop, customer);
        var endpoints = new (HttpMethod Method, string Url)[]
        {
            (HttpMethod.Post, $"/api/eshops/{eshop}/customers"),
            (HttpMethod.Post, $"/api/eshops/{eshop}/customers/{customer}/credit"),
            (HttpMethod.Put, $"/api/eshops/{eshop}/customers/{customer}/tier"),
            (HttpMethod.Put, $"/api/eshops/{eshop}/customers/{customer}/group"),
            (HttpMethod.Post, $"/api/eshops/{eshop}/webhooks"),
            (HttpMethod.Put, $"/api/eshops/{eshop}/webhooks/{webhook}"),
            (HttpMethod.Post, $"/api/eshops/{eshop}/webhooks/preview"),
        };

        var failures = new List<string>();
        foreach (var (method, url) in endpoints)
        foreach (var body in Bodies)
        {
            var (status, problem) = await app.SendAsync(method, url, body);
            if (status is < 400 or >= 500 || problem?["status"]?.GetValue<int>() != status)
                failures.Add($"{method} {url} {body} → {status} {problem?.ToJsonString()}");
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await Snapshot(eshop, customer));
    }

    [Fact]
    public async Task an_oversized_request_is_refused_with_413()
    {
        var eshop = AppFixture.NewEshopId();
        var body = "{\"name\": \"" + new string('x', 2 * 1024 * 1024) + "\"}";

        var (status, _) = await app.SendAsync(HttpMethod.Post, $"/api/eshops/{eshop}/webhooks", body);

        Assert.Equal(413, status);
        Assert.Empty((JsonArray)await app.GetAsync($"/api/eshops/{eshop}/webhooks"));
    }

    private async Task<string> Snapshot(string eshop, Guid customer)
    {
        var customerJson = await app.GetAsync($"/api/eshops/{eshop}/customers/{customer}");
        var webhooks = (JsonArray)await app.GetAsync($"/api/eshops/{eshop}/webhooks");
        await using var session = app.Store.QuerySession();
        var customerEvents = (await session.Events.FetchStreamAsync(customer)).Count;
        return $"{customerJson.ToJsonString()}|{webhooks.ToJsonString()}|{customerEvents}";
    }
}

using System.Text.Json.Nodes;
using Ellity.Tests.Infrastructure;
using Marten;

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

    private static readonly JsonNode?[] BadText = [12345, true, new JsonArray(), new JsonObject(), new string('x', 5000), "bad\u0001control"];
    private static readonly JsonNode?[] BadNumber = ["abc", "5", true, new JsonArray(), new JsonObject(), JsonNode.Parse("1e400")];
    private static readonly JsonNode?[] BadBool = ["yes", 1, new JsonArray(), new JsonObject()];
    private static readonly JsonNode?[] BadRef = ["gold", 5, new JsonArray(), JsonNode.Parse("{\"id\": \"\", \"name\": \"\"}"), JsonNode.Parse("{\"id\": \"x\"}")];
    private static readonly JsonNode?[] BadSchedule = ["5", JsonNode.Parse("[-1]"), JsonNode.Parse("[100000000]"), new JsonObject(), JsonNode.Parse("[\"a\"]")];
    private static readonly JsonNode?[] BadUrl = [.. BadText, "", "ftp://x.example.cz/", "/relative", "http://user:pw@x.example.cz/", "https://x.example.cz/#customer.emial#",
        "http://#customer.group.id#/x", "https://#customer.email#.example.cz/"];
    private static readonly JsonNode?[] BadTemplate = [5, true, new JsonArray(), "{", "{\"a\": #customer.emial#}", "{\"a\": 1,}", "[#a#: 1]", "{\"a\": \"\u0001\"}"];
    private static readonly JsonNode?[] BadTrigger = [.. BadText, "", "customer.nope"];
    private static readonly JsonNode?[] BadEmail = [.. BadText, "", "no-at-sign"];
    private static readonly JsonNode?[] BadEmails = [.. BadEmail.Select(e => new JsonArray(e?.DeepClone())), "owner@example.cz",
        JsonNode.Parse("[\"Owner <owner@example.cz>\"]"), JsonNode.Parse("[\" owner@example.cz\"]"), JsonNode.Parse("[\"a@b.cz\\n\"]"),
        new JsonArray([.. Enumerable.Range(0, 11).Select(i => (JsonNode)$"o{i}@example.cz")])];
    private static readonly JsonNode?[] BadAlerts = ["failing", new JsonArray("nope"), new JsonArray(5), new JsonObject(), JsonNode.Parse("[\"Failing\"]")];

    /// <summary>A valid body per write endpoint, and for each field the values it must refuse.</summary>
    private static IEnumerable<(HttpMethod Method, string Url, string Body)> Mutations(string eshop, Guid customer, Guid webhook)
    {
        var cases = new (HttpMethod Method, string Url, JsonObject Valid, (string Field, JsonNode?[] Bad, bool Required)[] Fields)[]
        {
            (HttpMethod.Post, $"/api/eshops/{eshop}/customers",
                Obj("{\"email\": \"a@b.cz\", \"credit\": 5, \"group\": {\"id\": \"g\", \"name\": \"G\"}, \"tier\": {\"id\": \"t\", \"name\": \"T\"}}"),
                [("email", BadEmail, true), ("credit", [.. BadNumber, -5], false), ("group", BadRef, false), ("tier", BadRef, false)]),
            (HttpMethod.Post, $"/api/eshops/{eshop}/customers/{customer}/credit", Obj("{\"value\": 5, \"reason\": \"r\"}"),
                [("value", [.. BadNumber, 0], true), ("reason", [.. BadText.Where(v => v is not JsonValue t || t.GetValueKind() != System.Text.Json.JsonValueKind.String || t.GetValue<string>().Length < 600)], false)]),
            (HttpMethod.Put, $"/api/eshops/{eshop}/customers/{customer}/tier", Obj("{\"id\": \"platinum\", \"name\": \"Platinum\"}"),
                [("id", [.. BadText, ""], true), ("name", [.. BadText, ""], true)]),
            (HttpMethod.Put, $"/api/eshops/{eshop}/customers/{customer}/group", Obj("{\"id\": \"b2b\", \"name\": \"Firmy\"}"),
                [("id", [.. BadText, ""], true), ("name", [.. BadText, ""], true)]),
            (HttpMethod.Post, $"/api/eshops/{eshop}/webhooks", ValidWebhook(), WebhookFields()),
            (HttpMethod.Put, $"/api/eshops/{eshop}/webhooks/{webhook}", ValidWebhook(), WebhookFields()),
            (HttpMethod.Put, $"/api/eshops/{eshop}/notifications",
                Obj("{\"language\": \"en\", \"emails\": [\"owner@example.cz\"], \"webhookUrl\": \"https://ops.example.cz/\", \"failingAfterAttempts\": 3}"),
                [("language", [.. BadText, "", "de", "CS"], false), ("emails", BadEmails, false), ("emailAlerts", BadAlerts, false),
                 ("webhookUrl", BadUrl.Where(u => u is not JsonValue v || !v.ToJsonString().Contains('#')).ToArray(), false),
                 ("webhookAlerts", BadAlerts, false), ("failingAfterAttempts", [.. BadNumber, 0, 101, -1], false),
                 ("failingAfterMinutes", [.. BadNumber, 0, 7 * 24 * 60 + 1], false),
                 ("timeZone", [.. BadText, "", "Mars/Olympus", "europe/prague", "Central Europe Standard Time", "../../etc/passwd",
                     "Europe//Prague", "/Europe/Prague", "Europe/Prague/"], false),
                 ("emial", ["owner@example.cz"], false)]),
            (HttpMethod.Post, $"/api/eshops/{eshop}/webhooks/{webhook}/resyncs", Obj("{\"onlyMatching\": true}"),
                [("onlyMatching", BadBool, false), ("onlyMatchin", [true], false)]),
        };
        foreach (var (method, url, valid, fields) in cases)
        foreach (var (field, bad, required) in fields)
        {
            foreach (var value in bad)
            {
                var body = (JsonObject)valid.DeepClone();
                body[field] = value?.DeepClone();
                yield return (method, url, body.ToJsonString());
            }
            if (required)
            {
                var missing = (JsonObject)valid.DeepClone();
                missing.Remove(field);
                yield return (method, url, missing.ToJsonString());
                missing[field] = null;
                yield return (method, url, missing.ToJsonString());
            }
        }
    }

    private static JsonObject Obj(string json) => (JsonObject)JsonNode.Parse(json)!;

    private static JsonObject ValidWebhook() => Obj(
        "{\"name\": \"Changed\", \"trigger\": \"customer.tier.changed\", \"url\": \"https://changed.example.cz/\", \"body\": \"{}\", \"enabled\": false, \"retrySchedule\": [1]}");

    private static (string, JsonNode?[], bool)[] WebhookFields() =>
    [
        ("name", [.. BadText, ""], true), ("trigger", BadTrigger, true), ("url", BadUrl, true), ("body", BadTemplate, false),
        ("enabled", BadBool, false), ("retrySchedule", BadSchedule, false),
    ];

    [Fact]
    public async Task over_a_thousand_malformed_requests_to_the_write_endpoints_get_4xx_problems_and_change_nothing()
    {
        var eshop = await app.NewEshopAsync();
        var customer = await app.RegisterCustomerAsync(eshop, credit: 10m, tier: new { id = "gold", name = "Gold" });
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", "https://erp.example.cz/", null);
        var before = await Snapshot(eshop, customer);
        var customersBefore = await CustomerCount(eshop);

        // Each wrong value is also sent broken in the ways clients break JSON: trailing garbage,
        // cut short, wrapped in an array, nested one level too deep.
        var endpoints = new (HttpMethod Method, string Url)[]
        {
            (HttpMethod.Post, $"/api/eshops/{eshop}/customers"),
            (HttpMethod.Post, $"/api/eshops/{eshop}/customers/{customer}/credit"),
            (HttpMethod.Put, $"/api/eshops/{eshop}/customers/{customer}/tier"),
            (HttpMethod.Put, $"/api/eshops/{eshop}/customers/{customer}/group"),
            (HttpMethod.Post, $"/api/eshops/{eshop}/webhooks"),
            (HttpMethod.Put, $"/api/eshops/{eshop}/webhooks/{webhook}"),
            (HttpMethod.Post, $"/api/eshops/{eshop}/webhooks/preview"),
            (HttpMethod.Post, $"/api/eshops/{eshop}/webhooks/{webhook}/recover"),
            (HttpMethod.Post, $"/api/eshops/{eshop}/webhooks/{webhook}/resyncs"),
        };
        var requests = endpoints.SelectMany(e => Bodies.Select(body => (e.Method, e.Url, Body: body)))
            // Each wrong value is also sent broken in the ways clients break JSON: trailing garbage,
            // cut short, wrapped in an array, nested one level too deep.
            .Concat(Mutations(eshop, customer, webhook)
                .SelectMany(r => new[] { r.Body, r.Body + "x", r.Body[..(r.Body.Length / 2)], $"[{r.Body}]", $"{{\"data\": {r.Body}}}" }
                    .Select(body => (r.Method, r.Url, Body: body))))
            .ToList();
        var failures = new List<string>();
        foreach (var (method, url, body) in requests)
        {
            var (status, problem) = await app.SendAsync(method, url, body);
            if (status is < 400 or >= 500 || problem?["status"]?.GetValue<int>() != status
                || (status == 400 && problem?["errors"] is not JsonObject { Count: > 0 }))
                failures.Add($"{method} {url} {body[..Math.Min(body.Length, 200)]} → {status} {problem?.ToJsonString()[..Math.Min(300, problem.ToJsonString().Length)]}");
        }

        Assert.True(requests.Count >= 1000, $"only {requests.Count} requests generated");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await Snapshot(eshop, customer));
        Assert.Equal(customersBefore, await CustomerCount(eshop));
    }

    private async Task<int> CustomerCount(string eshop)
    {
        await using var session = app.Store.QuerySession();
        return await session.Query<Ellity.Customers.Customer>().CountAsync(c => c.EshopId == eshop);
    }

    [Fact]
    public async Task an_oversized_request_is_refused_with_413()
    {
        var eshop = await app.NewEshopAsync();
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

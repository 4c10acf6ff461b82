using System.Text;
using System.Text.Json.Nodes;
using Ellity.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ellity.Tests;

/// <summary>
/// Every endpoint the running app has (read from its endpoint data source, so a route added later is covered
/// without touching this test), called by every kind of caller, in every spelling of its path an attacker would
/// try: the status is the one its access rule gives, no refused call shows the shop's data, and no refused call
/// changes anything. The calls go over a real socket to the Host as a process of its own (its own database, so
/// that nothing but the matrix's calls can add events while it counts them): what Kestrel decodes is what routing
/// and the access rules see.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class AccessMatrixTests(AppFixture app) : IAsyncLifetime
{
    private string _db = "";
    private HostProcess _host = null!;

    public async Task InitializeAsync()
    {
        _db = await TestPostgres.CreateDatabaseAsync();
        _host = await HostProcess.StartAsync(_db, ScriptedReceiver.FreePort());
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(_db);
    }

    private enum Caller { None, Invalid, OtherShop, OwnShop, Operator }

    private enum Access { Public, Operator, ActsForEshop, Authenticated }

    private sealed record Route(string Method, RoutePattern Pattern, Access Access)
    {
        public override string ToString() => $"{Method} {Pattern.RawText}";
    }

    /// <summary>How a path is spelled; <see cref="KeepsEshop"/>: whether the route still names the same e-shop once decoded.</summary>
    private sealed record Spelling(string Name, bool KeepsEshop, bool MayMissTheRoute, Func<RoutePattern, IReadOnlyDictionary<string, string>, string> Write);

    private static readonly Spelling[] Spellings =
    [
        new("canonical", true, false, (p, v) => Path(p, v, literal: s => s, eshop: s => s)),
        new("upper case", false, false, (p, v) => Path(p, v, literal: s => s, eshop: s => s).ToUpperInvariant()),
        new("mixed case per segment", true, false, (p, v) => Path(p, v, literal: Alternate, eshop: s => s)),
        new("percent-encoded letters", true, false, (p, v) => Path(p, v, literal: Encode, eshop: Encode)),
        new("double-encoded e-shop id", false, false, (p, v) => Path(p, v, literal: s => s, eshop: s => Encode(s).Replace("%", "%25"))),
        new("trailing slash", true, true, (p, v) => Path(p, v, literal: s => s, eshop: s => s) + "/"),
        new("doubled slash", true, true, (p, v) => Path(p, v, literal: s => s, eshop: s => s).Replace("/api/", "/api//")),
    ];

    [Fact]
    public async Task every_endpoint_answers_every_caller_and_spelling_as_its_access_rule_says_and_refusals_change_nothing()
    {
        var own = AppFixture.NewEshopId();
        var ownKey = (await _host.RegisterEshopAsync(own))["apiKey"]!.GetValue<string>();
        var otherKey = (await _host.RegisterEshopAsync(AppFixture.NewEshopId()))["apiKey"]!.GetValue<string>();
        var endpoint = app.Receiver.NewEndpoint();
        var created = await _host.PostAsync($"/api/eshops/{own}/webhooks",
            new { name = "matrix", trigger = "customer.credit.changed", url = endpoint, body = "{\"e\": \"#customer.email#\"}" });
        var webhook = created["id"]!.GetValue<string>();
        var customer = (await _host.PostAsync($"/api/eshops/{own}/customers", new { email = "matrix-owner@example.cz" }))["id"]!.GetValue<string>();
        await _host.PostAsync($"/api/eshops/{own}/customers/{customer}/credit", new { value = 1 });
        await app.Receiver.WaitForRequestsAsync(endpoint, 1);
        var delivery = await WaitForFinishedDeliveryAsync(own, webhook);
        var values = new Dictionary<string, string>
        {
            ["eshopId"] = own, ["webhookId"] = webhook, ["customerId"] = customer, ["deliveryId"] = delivery,
            ["file"] = "app.js", ["documentName"] = "v1", ["jobId"] = Guid.NewGuid().ToString(),
        };
        // What must never reach a caller who is not the shop or the operator.
        string[] secrets = [own, webhook, customer, delivery, created["secret"]!.GetValue<string>(), "matrix-owner@example.cz"];

        var routes = Routes();
        Assert.True(routes.Count(r => r.Access == Access.ActsForEshop) >= 25, $"only {routes.Count} routes found");
        Assert.Contains(routes, r => r.Access == Access.Operator);
        Assert.Contains(routes, r => r.Access == Access.Public);
        var keys = new Dictionary<Caller, string?>
        {
            [Caller.None] = null, [Caller.Invalid] = "ek_not-a-real-key", [Caller.OtherShop] = otherKey,
            [Caller.OwnShop] = ownKey, [Caller.Operator] = AppFixture.OperatorKey,
        };

        // First every call that must be refused, then the state is compared, then the calls that must go through.
        var calls = (from route in routes
                     from spelling in Spellings
                     from caller in keys.Keys
                     select (Route: route, Spelling: spelling, Caller: caller, Refused: Refusal(route, spelling, caller))).ToList();
        var wrong = new List<string>();
        var before = await StateAsync();
        foreach (var call in calls.Where(c => c.Refused is not null))
        {
            var url = call.Spelling.Write(call.Route.Pattern, values);
            var (status, text) = await SendAsync(call.Route.Method, url, BodyFor(call.Route, values), keys[call.Caller]);
            var what = $"{call.Route.Method} {url} ({call.Spelling.Name}) as {call.Caller}";
            var expected = call.Refused!.Value;
            // A path that no longer matches any route is a 404 for whoever holds a valid key.
            if (status != expected && !(call.Spelling.MayMissTheRoute && status == 404 && call.Caller is not (Caller.None or Caller.Invalid)))
                wrong.Add($"{what}: {status}, expected {expected}: {text}");
            if (call.Caller is not (Caller.OwnShop or Caller.Operator) && secrets.FirstOrDefault(text.Contains) is { } leaked)
                wrong.Add($"{what}: the answer shows {leaked}");
        }
        var after = await StateAsync();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong.Take(40)) + $"\n({wrong.Count} in all)");
        Assert.Equal(before, after);

        // Deleting and rotating the key change what later calls see: they go last.
        foreach (var call in calls.Where(c => c.Refused is null)
                     .OrderBy(c => c.Route.Pattern.RawText!.EndsWith("/api-keys/rotate") ? 2 : c.Route.Method == "DELETE" ? 1 : 0))
        {
            var url = call.Spelling.Write(call.Route.Pattern, values);
            var (status, text) = await SendAsync(call.Route.Method, url, BodyFor(call.Route, values), keys[call.Caller]);
            if (call.Route.Pattern.RawText!.EndsWith("/api-keys/rotate") && status == 200)
                keys[Caller.OwnShop] = JsonNode.Parse(text)!["apiKey"]!.GetValue<string>();
            // A 404 is fine when it is the resource's own (deleted by an earlier call, say), never the access rule's. A path
            // that matches no route at all is denied by default: 401 without a key, 404 with one.
            var missed = call.Spelling.MayMissTheRoute && (status == 404 || status == 401 && call.Caller is Caller.None or Caller.Invalid);
            var refusedByAccess = status is 401 or 403 || status == 404 && Title(text) == "Not Found";
            if (refusedByAccess && !missed || status >= 500)
                wrong.Add($"{call.Route.Method} {url} ({call.Spelling.Name}) as {call.Caller}: {status} {text}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong.Take(40)) + $"\n({wrong.Count} in all)");
    }

    private static string? Title(string text)
    {
        try
        {
            return JsonNode.Parse(text)?["title"]?.GetValue<string>();
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>The status a call must be refused with, or null when it is to go through.</summary>
    private static int? Refusal(Route route, Spelling spelling, Caller caller)
    {
        if (route.Access == Access.Public) return null;
        if (caller is Caller.None or Caller.Invalid) return 401;
        if (route.Access == Access.Operator) return caller == Caller.Operator ? null : 403;
        if (route.Access == Access.Authenticated) return null;
        if (!spelling.KeepsEshop || caller == Caller.OtherShop) return 404;
        return null;
    }

    private List<Route> Routes() =>
        app.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => new Route(method, e.RoutePattern, AccessOf(e))))
            .DistinctBy(r => r.ToString())
            .ToList();

    /// <summary>A route naming an e-shop acts for it, whatever its metadata says: that is the rule under test.</summary>
    private static Access AccessOf(RouteEndpoint endpoint)
    {
        if (endpoint.RoutePattern.GetParameter("eshopId") is not null) return Access.ActsForEshop;
        if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null) return Access.Public;
        var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
        if (policies.Contains("operator")) return Access.Operator;
        return Access.Authenticated;
    }

    /// <summary>A valid body, so that a call let through by mistake would really change something.</summary>
    private static string? BodyFor(Route route, IReadOnlyDictionary<string, string> values) => (route.Method, route.Pattern.RawText!.TrimStart('/')) switch
    {
        ("POST", "api/eshops") => $"{{\"eshopId\": \"matrix-{Guid.NewGuid():N}\", \"name\": \"Matrix\"}}",
        ("POST", "api/eshops/{eshopId}/webhooks") or ("PUT", "api/eshops/{eshopId}/webhooks/{webhookId}") =>
            "{\"name\": \"Matrix 2\", \"trigger\": \"customer.credit.changed\", \"url\": \"https://matrix.example.cz/\", \"enabled\": true}",
        ("POST", "api/eshops/{eshopId}/webhooks/preview") => "{\"trigger\": \"customer.credit.changed\", \"url\": \"https://matrix.example.cz/\"}",
        ("PUT", "api/eshops/{eshopId}/webhooks/{webhookId}/headers") => "{\"headers\": {\"X-Matrix\": \"1\"}}",
        ("POST", "api/eshops/{eshopId}/webhooks/{webhookId}/recover") => $"{{\"since\": \"{DateTimeOffset.UtcNow.AddHours(-1):O}\"}}",
        ("POST", "api/eshops/{eshopId}/customers") => "{\"email\": \"matrix@example.cz\", \"credit\": 5}",
        ("POST", "api/eshops/{eshopId}/customers/{customerId}/credit") => "{\"value\": 5}",
        ("POST", "api/eshops/{eshopId}/customers/credit-changes") => $"{{\"changes\": [{{\"customerId\": \"{values["customerId"]}\", \"value\": 5}}]}}",
        ("PUT", "api/eshops/{eshopId}/customers/{customerId}/tier") => "{\"id\": \"gold\", \"name\": \"Gold\"}",
        ("PUT", "api/eshops/{eshopId}/customers/{customerId}/group") => "{\"id\": \"b2b\", \"name\": \"Firmy\"}",
        ("POST" or "PUT", _) => "{}",
        _ => null,
    };

    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(30) };

    private async Task<(int Status, string Text)> SendAsync(string method, string url, string? body, string? key)
    {
        // The path goes out exactly as spelled: Uri's canonicalization would otherwise rewrite some spellings first.
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(_host.Url + url,
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }));
        if (key is not null) request.Headers.Authorization = new("Bearer", key);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<string> WaitForFinishedDeliveryAsync(string eshop, string webhook)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(100))
        {
            var items = JsonNode.Parse(await _host.Client.GetStringAsync($"{_host.Url}/api/eshops/{eshop}/webhooks/{webhook}/deliveries"))!["items"]!.AsArray();
            if (items.FirstOrDefault(d => d!["status"]!.GetValue<string>() == "succeeded") is { } done) return done["id"]!.GetValue<string>();
            Assert.True(DateTime.UtcNow < deadline, "the setup's delivery did not succeed: " + items.ToJsonString());
        }
    }

    /// <summary>Every event and every e-shop in the database: a refused call must leave both as they were.</summary>
    private async Task<(long Events, long Streams, long Eshops)> StateAsync()
    {
        await using var connection = new NpgsqlConnection(_db);
        await connection.OpenAsync();
        async Task<long> Count(string sql) => (long)(await new NpgsqlCommand(sql, connection).ExecuteScalarAsync())!;
        return (await Count("select count(*) from events.mt_events"), await Count("select count(*) from events.mt_streams"),
            await Count("select count(*) from eshops.mt_doc_eshop"));
    }

    private static string Path(RoutePattern pattern, IReadOnlyDictionary<string, string> values,
        Func<string, string> literal, Func<string, string> eshop) =>
        "/" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart l => literal(l.Content),
            RoutePatternParameterPart { Name: "eshopId" } => eshop(values["eshopId"]),
            RoutePatternParameterPart p => values[p.Name],
            _ => throw new InvalidOperationException($"Unexpected route part in {pattern.RawText}"),
        }))));

    private static string Alternate(string text) =>
        string.Concat(text.Select((c, i) => i % 2 == 0 ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)));

    /// <summary>Every letter as %XX: a spelling routing decodes back to the same text.</summary>
    private static string Encode(string text) => string.Concat(text.Select(c => char.IsAsciiLetter(c) ? $"%{(int)c:X2}" : c.ToString()));
}

using System.Reflection;
using System.Text.Json.Nodes;
using Ellity.Eshops;
using Ellity.Eshops.Contracts;
using Ellity.Tests.Infrastructure;
using Ellity.Webhooks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Wolverine.Http;

namespace Ellity.Tests.Webhooks;

/// <summary>
/// The Webhooks feature an e-shop adds before it can use webhooks (the product page: "add the Webhooks feature first"),
/// removes to stop them, and adds again to resume.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class WebhooksFeatureTests(AppFixture app)
{
    /// <summary>Every webhook route of an e-shop, read from the running app's endpoints, so a route added later is covered.</summary>
    private List<(string Method, string Path, bool Kept)> WebhookRoutes(string eshopId) =>
        [.. app.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Chain: e.Metadata.GetMetadata<HttpChain>()))
            .Where(x => x.Chain?.Method.HandlerType.Assembly == typeof(WebhooksModule).Assembly && x.Endpoint.RoutePattern.GetParameter("eshopId") is not null)
            .SelectMany(x => x.Endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(method => (
                method,
                x.Endpoint.RoutePattern.RawText!
                    .Replace("{eshopId}", eshopId).Replace("{webhookId}", Guid.NewGuid().ToString()).Replace("{deliveryId}", Guid.NewGuid().ToString()),
                x.Chain!.Method.Method.GetCustomAttribute<KeptWithoutWebhooksFeatureAttribute>() is not null)))];

    [Fact]
    public async Task a_new_eshop_has_no_webhooks_until_it_adds_the_feature_every_webhook_route_says_how_and_the_audit_trail_stays_readable()
    {
        var (eshop, key) = await app.RegisterEshopAsync(withWebhooks: false);
        Assert.Empty((await app.GetAsync($"/api/eshops/{eshop}"))["features"]!.AsArray());

        var routes = WebhookRoutes(eshop);
        Assert.True(routes.Count(r => !r.Kept) >= 12, $"only {routes.Count} webhook routes found");
        Assert.Contains(routes, r => r.Kept);
        foreach (var (method, path, kept) in routes)
        {
            var (status, problem) = await app.SendAsync(new HttpMethod(method), path, method is "POST" or "PUT" ? new { } : null, key);
            if (kept)
            {
                Assert.True(status is 200 or 404, $"{method} {path}: {status} {problem?.ToJsonString()}");
                continue;
            }
            Assert.True(status == 409, $"{method} {path}: {status}, expected 409");
            Assert.Equal("Webhooks feature not added", problem!["title"]!.GetValue<string>());
            Assert.Contains($"POST /api/eshops/{eshop}/features/webhooks", problem["detail"]!.GetValue<string>());
            Assert.Equal("webhooks", problem["feature"]!.GetValue<string>());
        }
        // The catalog names no e-shop: anyone may read what can be set up before adding anything.
        Assert.Equal(200, (await app.SendAsync(HttpMethod.Get, "/api/webhooks/triggers", key: null)).Status);

        var (added, body) = await app.SendAsync(HttpMethod.Post, $"/api/eshops/{eshop}/features/webhooks", key: key);
        Assert.Equal(200, added);
        Assert.True(body!["added"]!.GetValue<bool>());
        var since = body["since"]!.GetValue<DateTimeOffset>();
        // Adding it again changes nothing.
        var again = await app.PostAsync($"/api/eshops/{eshop}/features/webhooks", null);
        Assert.Equal(since, again["since"]!.GetValue<DateTimeOffset>());
        Assert.Equal(["webhooks"], (await app.GetAsync($"/api/eshops/{eshop}"))["features"]!.AsArray().Select(f => f!.GetValue<string>()));

        var endpoint = app.Receiver.NewEndpoint();
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", endpoint, null);
        var customer = await app.RegisterCustomerAsync(eshop);
        await app.ChangeCreditAsync(eshop, customer, 10);
        await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 1);

        var history = (await app.GetAsync($"/api/eshops/{eshop}/history")).AsArray();
        Assert.Equal(["registered", "feature-added"], history.Select(h => h!["change"]!.GetValue<string>()));
        Assert.Equal("operator", history[0]!["actor"]!.GetValue<string>());
        Assert.StartsWith($"eshop:{eshop}/key:", history[1]!["actor"]!.GetValue<string>());
        Assert.Equal("webhooks", history[1]!["data"]!["feature"]!.GetValue<string>());
    }

    [Fact]
    public async Task removing_the_feature_stops_sending_at_once_ends_pending_retries_keeps_everything_and_adding_it_again_sends_only_what_happens_after()
    {
        var eshop = await app.NewEshopAsync();
        var working = app.Receiver.NewEndpoint();
        var failing = app.Receiver.NewEndpoint(status: 503);
        var ok = await app.CreateWebhookAsync(eshop, "customer.credit.changed", working + "?credit=#customer.credit#", null);
        var retrying = await app.CreateWebhookAsync(eshop, "customer.credit.changed", failing, null, retrySchedule: [3600]);
        var secret = (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{ok}/secret"))["secret"]!.GetValue<string>();
        var customer = await app.RegisterCustomerAsync(eshop, credit: 0);

        await app.ChangeCreditAsync(eshop, customer, 1);
        await app.WaitForFinishedDeliveriesAsync(eshop, ok, 1);
        await app.WaitForDeliveriesAsync(eshop, retrying, d => d.AsDeliveries().Any(x => x.Attempts.Count == 1), "a first failed attempt");

        var removed = await app.ExpectAsync(200, HttpMethod.Delete, $"/api/eshops/{eshop}/features/webhooks");
        Assert.False(removed["added"]!.GetValue<bool>());
        await app.ExpectAsync(200, HttpMethod.Delete, $"/api/eshops/{eshop}/features/webhooks");

        // The retry due in an hour ends now, with the reason; the log stays readable.
        var ended = Assert.Single((await app.WaitForDeliveriesAsync(eshop, retrying, d => d.AsDeliveries().All(x => x.Status == "failed"),
            "the pending retry ended", TimeSpan.FromSeconds(15))).AsDeliveries());
        Assert.Equal(WebhooksFeature.Removed, ended.FailureReason);

        // A change while the feature is removed is never sent, not even once it is added again.
        await app.ChangeCreditAsync(eshop, customer, 10);
        var (status, _) = await app.SendAsync(HttpMethod.Post, $"/api/eshops/{eshop}/webhooks/{ok}/test");
        Assert.Equal(409, status);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await app.PostAsync($"/api/eshops/{eshop}/features/webhooks", null);
        await app.ChangeCreditAsync(eshop, customer, 100);
        await app.Receiver.WaitForRequestsAsync(working, 2);
        await app.WaitForFinishedDeliveriesAsync(eshop, ok, 2);
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Equal(["credit=1", "credit=111"], app.Receiver.RequestsTo(working).Select(r => r.PathAndQuery.Split('?')[1]));
        Assert.Equal(2, (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{ok}/deliveries"))["items"]!.AsArray().Count);
        // The webhooks and their secrets are as they were.
        Assert.Equal(2, (await app.GetAsync($"/api/eshops/{eshop}/webhooks")).AsArray().Count);
        Assert.Equal(secret, (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{ok}/secret"))["secret"]!.GetValue<string>());
        Assert.Equal(["registered", "feature-added", "feature-removed", "feature-added"],
            (await app.GetAsync($"/api/eshops/{eshop}/history")).AsArray().Select(h => h!["change"]!.GetValue<string>()));
    }

    [Fact]
    public async Task an_eshop_registered_before_features_existed_keeps_its_webhooks_and_can_remove_them()
    {
        // As stored before this change: a registration without features, and no features document.
        var eshop = AppFixture.NewEshopId();
        var id = Eshop.StreamIdFor(eshop);
        await using (var session = app.Store.LightweightSession())
        {
            session.Events.StartStream<Eshop>(id, new EshopRegistered(id, eshop, "Old shop", ApiKeys.Hash(ApiKeys.New()), DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
            session.Delete<EshopFeatures>(id);
            await session.SaveChangesAsync();
        }
        await using (var query = app.Store.QuerySession())
            Assert.Null(await query.LoadAsync<EshopFeatures>(id));

        Assert.Equal(["webhooks"], (await app.GetAsync($"/api/eshops/{eshop}"))["features"]!.AsArray().Select(f => f!.GetValue<string>()));
        var endpoint = app.Receiver.NewEndpoint();
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", endpoint, null);
        var customer = await app.RegisterCustomerAsync(eshop);
        await app.ChangeCreditAsync(eshop, customer, 5);
        await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 1);
        // It has the feature already: adding it records nothing.
        Assert.True((await app.PostAsync($"/api/eshops/{eshop}/features/webhooks", null))["added"]!.GetValue<bool>());
        Assert.Equal(["registered"], (await app.GetAsync($"/api/eshops/{eshop}/history")).AsArray().Select(h => h!["change"]!.GetValue<string>()));

        await app.ExpectAsync(200, HttpMethod.Delete, $"/api/eshops/{eshop}/features/webhooks");
        Assert.Equal(409, (await app.SendAsync(HttpMethod.Get, $"/api/eshops/{eshop}/webhooks")).Status);
        Assert.Empty((await app.GetAsync($"/api/eshops/{eshop}"))["features"]!.AsArray());
    }

    [Fact]
    public async Task a_customer_change_of_an_eshop_without_the_feature_makes_no_delivery()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", endpoint, null);
        await app.ExpectAsync(200, HttpMethod.Delete, $"/api/eshops/{eshop}/features/webhooks");
        var customer = await app.RegisterCustomerAsync(eshop);
        for (var n = 0; n < 5; n++) await app.ChangeCreditAsync(eshop, customer, 1);

        // A marker e-shop's change, sent after them through the same subscription, shows they were all handled.
        var marker = await app.NewEshopAsync();
        var markerEndpoint = app.Receiver.NewEndpoint();
        await app.CreateWebhookAsync(marker, "customer.credit.changed", markerEndpoint, null);
        await app.ChangeCreditAsync(marker, await app.RegisterCustomerAsync(marker), 1);
        await app.Receiver.WaitForRequestsAsync(markerEndpoint, 1);
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Empty(app.Receiver.RequestsTo(endpoint));
        Assert.Empty((await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/deliveries"))["items"]!.AsArray());
    }
}

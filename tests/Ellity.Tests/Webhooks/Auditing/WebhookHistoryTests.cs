using System.Text.Json.Nodes;
using Ellity.Tests.Infrastructure;

namespace Ellity.Tests.Webhooks.Auditing;

/// <summary>An auditor's questions: who changed this webhook, what did it look like then, what did a delivery look like then.</summary>
[Collection(AppCollection.Name)]
public sealed class WebhookHistoryTests(AppFixture app)
{
    private async Task<JsonNode> As(string key, HttpMethod method, string url, object? body, int status)
    {
        var (actual, json) = await app.SendAsync(method, url, body, key);
        Assert.True(actual == status, $"{method} {url}: expected {status}, got {actual}: {json?.ToJsonString()}");
        return json ?? new JsonObject();
    }

    /// <summary>The answer to rotating the e-shop's API key: the new key, shown this once.</summary>
    private sealed record ApiKeyView(string ApiKey);

    [Fact]
    public async Task history_tells_who_changed_what_and_when_without_revealing_secrets()
    {
        var (eshop, key) = await app.RegisterEshopAsync();
        var url = app.Receiver.NewEndpoint();
        var created = (await As(key, HttpMethod.Post, $"/api/eshops/{eshop}/webhooks",
            new { name = "ERP", trigger = "customer.credit.changed", url, enabled = true }, 201)).AsCreatedWebhook();
        var id = created.Id;
        var secret = created.Secret;
        await As(key, HttpMethod.Put, $"/api/eshops/{eshop}/webhooks/{id}",
            new { name = "ERP v2", trigger = "customer.credit.changed", url = url + "v2", enabled = true }, 200);
        var rotated = (await app.PostAsync($"/api/eshops/{eshop}/webhooks/{id}/secret/rotate", null)).ReadAs<SecretView>();
        await As(key, HttpMethod.Put, $"/api/eshops/{eshop}/webhooks/{id}/headers",
            new { headers = new Dictionary<string, string> { ["Authorization"] = "Bearer erp-token-123" } }, 200);
        await As(key, HttpMethod.Post, $"/api/eshops/{eshop}/webhooks/{id}/disable", null, 200);
        await As(key, HttpMethod.Delete, $"/api/eshops/{eshop}/webhooks/{id}", null, 204);

        // Deleted, yet its history stays readable for audits.
        var trail = await As(key, HttpMethod.Get, $"/api/eshops/{eshop}/webhooks/{id}/history", null, 200);
        var history = trail.AsHistory();
        Assert.Equal(["created", "renamed", "url-changed", "secret-rotated", "headers-changed", "disabled", "deleted"],
            history.Select(c => c.Change));
        Assert.Equal(Enumerable.Range(1, 7), history.Select(c => c.Version));
        var shopActor = history[0].Actor;
        Assert.Matches($"^eshop:{eshop}/key:[0-9a-f]{{8}}$", shopActor);
        Assert.Equal([shopActor, shopActor, shopActor, "operator", shopActor, shopActor, shopActor],
            history.Select(c => c.Actor));
        Assert.Equal("ERP v2", history[1].Data.Name);
        Assert.Equal(url + "v2", history[2].Data.Url);
        var times = history.Select(c => c.At).ToList();
        Assert.Equal(times.Order(), times);

        // The raw answer, every field of it: no secret in any of them.
        var text = trail.ToJsonString();
        Assert.DoesNotContain(secret, text);
        Assert.DoesNotContain(rotated.Secret, text);
        Assert.DoesNotContain("whsec_", text);
        Assert.DoesNotContain("erp-token-123", text);
        Assert.Contains("Authorization", text);

        // A new key is a new identity in the trail.
        var newKey = (await As(key, HttpMethod.Post, $"/api/eshops/{eshop}/api-keys/rotate", null, 200)).ReadAs<ApiKeyView>().ApiKey;
        var second = (await As(newKey, HttpMethod.Post, $"/api/eshops/{eshop}/webhooks",
            new { name = "CRM", trigger = "customer.credit.changed", url, enabled = true }, 201)).AsCreatedWebhook().Id;
        var newActor = (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{second}/history")).AsHistory()[0].Actor;
        Assert.StartsWith($"eshop:{eshop}/key:", newActor);
        Assert.NotEqual(shopActor, newActor);

        await app.GetAsync($"/api/eshops/{await app.NewEshopAsync()}/webhooks/{id}/history", 404);
    }

    [Fact]
    public async Task a_webhook_switched_off_by_its_receiver_shows_the_system_as_the_actor()
    {
        var eshop = await app.NewEshopAsync();
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", app.Receiver.NewEndpoint(status: 410), null);
        var customer = await app.RegisterCustomerAsync(eshop);
        await app.ChangeCreditAsync(eshop, customer, 5m);

        var history = (await app.WaitForAsync($"/api/eshops/{eshop}/webhooks/{webhook}/history",
            h => h.AsHistory().Any(c => c.Change == "auto-disabled"), "the webhook auto-disabled")).AsHistory();
        var change = history.Single(c => c.Change == "auto-disabled");
        Assert.Equal("system", change.Actor);
        Assert.Contains("410", change.Data.Reason);
        Assert.Equal("operator", history[0].Actor);
    }

    [Fact]
    public async Task a_webhook_and_a_delivery_can_be_read_as_they_were_at_a_version_or_a_time()
    {
        var eshop = await app.NewEshopAsync();
        var url = app.Receiver.NewEndpoint();
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", url, null, name: "First name");
        var beforeRename = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        await app.PutAsync($"/api/eshops/{eshop}/webhooks/{webhook}",
            new { name = "Second name", trigger = "customer.credit.changed", url, enabled = true });
        await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/disable", null);

        var atCreation = (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}?asOf=1")).AsWebhook();
        Assert.Equal("First name", atCreation.Name);
        Assert.True(atCreation.Enabled);
        var atTime = (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}?asOf={Uri.EscapeDataString(beforeRename.ToString("O"))}")).AsWebhook();
        Assert.Equal("First name", atTime.Name);
        var atVersion2 = (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}?asOf=2")).AsWebhook();
        Assert.Equal("Second name", atVersion2.Name);
        Assert.True(atVersion2.Enabled);
        var now = (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}")).AsWebhook();
        Assert.False(now.Enabled);

        await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}?asOf=2000-01-01T00:00:00Z", 404);
        var invalid = await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}?asOf=yesterday", 400);
        Assert.NotNull(invalid["errors"]!["asOf"]);
        await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}?asOf=0", 400);

        await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/enable", null);
        var customer = await app.RegisterCustomerAsync(eshop);
        await app.ChangeCreditAsync(eshop, customer, 5m);
        var delivery = (await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 1))[0]!.AsDelivery();
        var deliveryId = delivery.Id;
        var scheduled = (await app.GetAsync($"/api/eshops/{eshop}/deliveries/{deliveryId}?asOf=1")).AsDelivery();
        Assert.Equal("pending", scheduled.Status);
        Assert.Empty(scheduled.Attempts);
        var current = (await app.GetAsync($"/api/eshops/{eshop}/deliveries/{deliveryId}")).AsDelivery();
        Assert.Equal("succeeded", current.Status);
        Assert.Single(current.Attempts);
        await app.GetAsync($"/api/eshops/{eshop}/deliveries/{deliveryId}?asOf=-3", 400);
    }

    [Fact]
    public async Task a_webhooks_delivery_log_is_filtered_and_paged_like_the_eshops()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", endpoint, null, retrySchedule: []);
        var customer = await app.RegisterCustomerAsync(eshop);
        for (var n = 0; n < 3; n++) await app.ChangeCreditAsync(eshop, customer, 1m);
        await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 3);
        app.Receiver.Answer(endpoint, 500);
        for (var n = 0; n < 2; n++) await app.ChangeCreditAsync(eshop, customer, 1m);
        await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 5);

        var log = $"/api/eshops/{eshop}/webhooks/{webhook}/deliveries";
        var ids = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = (await app.GetAsync($"{log}?limit=2" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"))).AsDeliveryPage();
            Assert.True(page.Items.Count <= 2);
            ids.AddRange(page.Items.Select(d => d.Id));
            cursor = page.NextCursor;
        } while (cursor is not null);
        Assert.Equal(5, ids.Distinct().Count());
        Assert.Equal(5, ids.Count);

        Assert.Equal(2, (await app.GetAsync($"{log}?status=failed")).AsDeliveryPage().Items.Count);
        Assert.Equal(3, (await app.GetAsync($"{log}?statusCode=200")).AsDeliveryPage().Items.Count);

        await app.GetAsync($"{log}?status=nope", 400);
    }
}

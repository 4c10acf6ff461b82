using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Ellity.Tests.Infrastructure;

namespace Ellity.Tests.Webhooks.Auditing;

/// <summary>The e-shop's delivery log exported as NDJSON: one delivery per line, oldest first.</summary>
[Collection(AppCollection.Name)]
public sealed class ExportingDeliveriesTests(AppFixture app)
{
    /// <summary>The export's lines as sent, and as the deliveries they are.</summary>
    private async Task<(HttpResponseMessage Response, List<JsonNode> Lines, List<DeliveryView> Deliveries)> Export(string eshop,
        string query = "")
    {
        var client = app.Host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/eshops/{eshop}/deliveries/export{query}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AppFixture.OperatorKey);
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!).ToList();
        return (response, lines, lines.Select(line => line.AsDelivery()).ToList());
    }

    private static string Query(DateTimeOffset from, DateTimeOffset to) =>
        $"?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}";

    [Fact]
    public async Task an_eshops_deliveries_export_as_one_json_line_each_oldest_first_and_filtered_by_time()
    {
        var eshop = await app.NewEshopAsync();
        var ok = await app.CreateWebhookAsync(eshop, "customer.credit.changed", app.Receiver.NewEndpoint(), null);
        var failing = await app.CreateWebhookAsync(eshop, "customer.credit.changed", app.Receiver.NewEndpoint(status: 500), null, retrySchedule: []);
        var other = await app.NewEshopAsync();
        var otherWebhook = await app.CreateWebhookAsync(other, "customer.credit.changed", app.Receiver.NewEndpoint(), null);
        var customer = await app.RegisterCustomerAsync(eshop);
        var otherCustomer = await app.RegisterCustomerAsync(other);
        for (var n = 0; n < 3; n++) await app.ChangeCreditAsync(eshop, customer, 1m);
        await app.ChangeCreditAsync(other, otherCustomer, 1m);
        var logged = (await app.WaitForFinishedDeliveriesAsync(eshop, ok, 3))
            .Concat(await app.WaitForFinishedDeliveriesAsync(eshop, failing, 3)).ToList();
        await app.WaitForFinishedDeliveriesAsync(other, otherWebhook, 1);

        var (response, lines, deliveries) = await Export(eshop);

        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"deliveries-{eshop}.ndjson", response.Content.Headers.ContentDisposition?.FileName);
        Assert.Equal(6, lines.Count);
        Assert.Equal(logged.Select(d => d!.AsDelivery().Id).Order(), deliveries.Select(d => d.Id).Order());
        Assert.DoesNotContain(deliveries, d => d.WebhookId == otherWebhook);
        var times = deliveries.Select(d => d.ScheduledAt).ToList();
        Assert.Equal(times.Order(), times);
        // Each line is exactly what the API shows for that delivery.
        var first = lines[0];
        Assert.True(JsonNode.DeepEquals(await app.GetAsync($"/api/eshops/{eshop}/deliveries/{deliveries[0].Id}"), first), first.ToJsonString());

        // Both webhooks' deliveries of one change share a time: the window keeps or drops them together.
        var distinct = times.Distinct().ToList();
        var (from, to) = (distinct[1], distinct[^1]);
        var (_, _, window) = await Export(eshop, Query(from, to));
        var expected = deliveries.Where(d => d.ScheduledAt >= from && d.ScheduledAt < to).Select(d => d.Id).ToList();
        Assert.InRange(expected.Count, 1, lines.Count - 1);
        Assert.Equal(expected, window.Select(d => d.Id));

        var (status, problem) = await app.SendAsync(HttpMethod.Get, $"/api/eshops/{eshop}/deliveries/export{Query(to, from)}");
        Assert.Equal(400, status);
        Assert.NotNull(problem!["errors"]!["from"]);
        Assert.Empty((await Export(await app.NewEshopAsync())).Lines);
    }
}

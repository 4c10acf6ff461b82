using Ellity.Tests.Infrastructure;
using Npgsql;

namespace Ellity.Tests.Webhooks.Subscribing;

/// <summary>Custom headers: sent with every delivery, encrypted at rest, never shown or logged.</summary>
[Collection(AppCollection.Name)]
public sealed class CustomHeadersTests(AppFixture app)
{
    [Fact]
    public async Task custom_headers_are_sent_but_masked_everywhere_and_not_stored_in_clear()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        var token = "Bearer erp-token-" + Guid.NewGuid().ToString("N");
        var apiKey = "x-key-" + Guid.NewGuid().ToString("N");
        var created = await app.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "erp", trigger = "customer.credit.changed", url = endpoint, body = "{\"c\": #customer.credit#}",
            headers = new Dictionary<string, string> { ["Authorization"] = token, ["X-Api-Key"] = apiKey },
        }, 201);
        var webhook = created.AsWebhook().Id;
        var customer = await app.RegisterCustomerAsync(eshop);

        await app.ChangeCreditAsync(eshop, customer, 1m);

        var request = await app.SingleRequestAsync(eshop, endpoint);
        Assert.Equal(token, request.Headers["Authorization"]);
        Assert.Equal(apiKey, request.Headers["X-Api-Key"]);
        Assert.Equal("••••••", created.AsWebhook().Headers["Authorization"]);
        var read = await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}");
        Assert.Equal("••••••", read.AsWebhook().Headers["X-Api-Key"]);
        var delivery = (await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 1))[0]!;
        var events = await app.GetAsync($"/api/eshops/{eshop}/deliveries/{delivery.AsDelivery().Id}/events");
        foreach (var shown in new[] { created.ToJsonString(), read.ToJsonString(), delivery.ToJsonString(), events.ToJsonString() })
        {
            Assert.DoesNotContain(token, shown);
            Assert.DoesNotContain(apiKey, shown);
        }
        Assert.Equal(0, await RowsContaining(apiKey));
        Assert.DoesNotContain(app.Logs.Lines, line => line.Contains(apiKey) || line.Contains(token));
    }

    [Fact]
    public async Task headers_can_be_replaced_and_cleared()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", endpoint, null);

        var replaced = (await app.PutAsync($"/api/eshops/{eshop}/webhooks/{webhook}/headers",
            new { headers = new Dictionary<string, string> { ["X-Shop"] = "secret-1" } })).AsWebhook();
        var customer = await app.RegisterCustomerAsync(eshop);
        await app.ChangeCreditAsync(eshop, customer, 1m);
        var first = await app.SingleRequestAsync(eshop, endpoint);
        var cleared = (await app.PutAsync($"/api/eshops/{eshop}/webhooks/{webhook}/headers", new { headers = (object?)null })).AsWebhook();
        await app.ChangeCreditAsync(eshop, customer, 1m);
        var second = (await app.Receiver.WaitForRequestsAsync(endpoint, 2)).Single(r => r != first);

        Assert.Equal(["X-Shop"], replaced.Headers.Keys);
        Assert.Equal("secret-1", first.Headers["X-Shop"]);
        Assert.Empty(cleared.Headers);
        Assert.False(second.Headers.ContainsKey("X-Shop"));
    }

    [Theory]
    [InlineData("Host")]
    [InlineData("Content-Length")]
    [InlineData("content-type")]
    [InlineData("webhook-signature")]
    [InlineData("Webhook-Id")]
    [InlineData("Bad Name")]
    public async Task reserved_or_invalid_header_names_are_refused(string name)
    {
        var eshop = await app.NewEshopAsync();

        var problem = await app.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "x", trigger = "customer.credit.changed", url = "https://x.example.cz/",
            headers = new Dictionary<string, string> { [name] = "v" },
        }, 400);

        Assert.NotNull(problem["errors"]![$"headers.{name}"]);
    }

    private async Task<long> RowsContaining(string value)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            select (select count(*) from events.mt_events where data::text like @v)
                 + (select count(*) from webhooks.mt_doc_webhook where data::text like @v)
                 + (select count(*) from webhooks.mt_doc_delivery where data::text like @v)
            """, connection);
        command.Parameters.AddWithValue("v", "%" + value + "%");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

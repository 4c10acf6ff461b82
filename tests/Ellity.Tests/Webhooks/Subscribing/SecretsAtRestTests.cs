using Ellity.Tests.Webhooks.Delivering;
using Ellity.Tests.Infrastructure;
using Ellity.Webhooks;
using Ellity.Webhooks.Subscribing;
using Microsoft.AspNetCore.DataProtection;
using Npgsql;

namespace Ellity.Tests.Webhooks.Subscribing;

/// <summary>Signing secrets are encrypted at rest, shown in clear only by the API, and still sign as before.</summary>
[Collection(AppCollection.Name)]
public sealed class SecretsAtRestTests(AppFixture app)
{
    [Fact]
    public async Task no_stored_event_or_document_holds_a_secret_in_clear_and_deliveries_are_signed_with_what_the_api_returned()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        var created = await app.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "at rest", trigger = "customer.credit.changed", url = endpoint, body = "{\"c\": #customer.credit#}",
        }, 201);
        var (webhook, first) = created.AsCreatedWebhook();
        var second = (await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/secret/rotate", null)).AsSecret().Secret;
        var customer = await app.RegisterCustomerAsync(eshop);

        await app.ChangeCreditAsync(eshop, customer, 1m);

        var request = await app.SingleRequestAsync(eshop, endpoint);
        SigningTests.AssertSignedWith(first, request);
        SigningTests.AssertSignedWith(second, request);
        Assert.Equal(second, (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/secret")).AsSecret().Secret);
        Assert.Equal(0, await StoredCopiesOf(KeyOf(first)));
        Assert.Equal(0, await StoredCopiesOf(KeyOf(second)));
        Assert.Equal(0, await EventsOf(webhook, containing: WebhookSecrets.Prefix));
    }

    [Fact]
    public async Task a_webhook_whose_stream_holds_its_secret_in_clear_still_signs_and_shows_it()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        var legacy = WebhookSecrets.New();
        var webhook = await AppendCreatedAsync(eshop, endpoint, legacy);
        var customer = await app.RegisterCustomerAsync(eshop);

        await app.ChangeCreditAsync(eshop, customer, 1m);

        var before = await app.SingleRequestAsync(eshop, endpoint);
        SigningTests.AssertSignedWith(legacy, before);
        Assert.Equal(legacy, (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/secret")).AsSecret().Secret);
        // The event and the webhook document: the search finds a secret stored in clear.
        Assert.Equal(2, await StoredCopiesOf(KeyOf(legacy)));

        var rotated = (await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/secret/rotate", null)).AsSecret().Secret;
        await app.ChangeCreditAsync(eshop, customer, 1m);

        var after = (await app.Receiver.WaitForRequestsAsync(endpoint, 2)).Single(r => r != before);
        SigningTests.AssertSignedWith(legacy, after);
        SigningTests.AssertSignedWith(rotated, after);
        // Rotating stores both secrets protected; the clear copy in WebhookCreated stays.
        Assert.Equal(1, await StoredCopiesOf(KeyOf(legacy)));
        Assert.Equal(0, await StoredCopiesOf(KeyOf(rotated)));
    }

    [Fact]
    public async Task a_secret_the_key_ring_cannot_decrypt_is_a_409_until_it_is_rotated()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        // Protected with a key this Host's key ring never had, as after the ring was lost.
        var unreadable = new EphemeralDataProtectionProvider().CreateProtector("Ellity.Webhooks.SigningSecrets").Protect(WebhookSecrets.New());
        var webhook = await AppendCreatedAsync(eshop, endpoint, unreadable);

        var problem = await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/secret", 409);
        var rotated = (await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/secret/rotate", null)).AsSecret();
        var customer = await app.RegisterCustomerAsync(eshop);
        await app.ChangeCreditAsync(eshop, customer, 1m);

        Assert.Equal("The webhook's signing secret cannot be decrypted: the Data Protection key ring may have been lost; rotate the secret.",
            problem["detail"]!.GetValue<string>());
        var secret = rotated.Secret;
        Assert.Null(rotated.PreviousSecretExpiresAt);
        Assert.Equal(secret, (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/secret")).AsSecret().Secret);
        var request = await app.SingleRequestAsync(eshop, endpoint);
        Assert.Single(request.Headers["webhook-signature"].Split(' '));
        SigningTests.AssertSignedWith(secret, request);
    }

    /// <summary>The base64 key of a secret, without the prefix every secret shares.</summary>
    private static string KeyOf(string secret) => secret[WebhookSecrets.Prefix.Length..];

    /// <summary>A webhook as written before secrets were encrypted: its WebhookCreated carries the secret as given.</summary>
    private async Task<Guid> AppendCreatedAsync(string eshop, string url, string storedSecret)
    {
        var id = Guid.CreateVersion7();
        await using var session = app.Store.LightweightSession();
        session.Events.StartStream<Webhook>(id, new WebhookCreated(id, eshop, "legacy", "customer.credit.changed", url,
            "{\"c\": #customer.credit#}", true, DateTimeOffset.UtcNow, Secret: storedSecret));
        await session.SaveChangesAsync();
        return id;
    }

    /// <summary>Rows of every event and of every document table of the webhooks schema whose text contains <paramref name="text"/>.</summary>
    private async Task<long> StoredCopiesOf(string text)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string> { "events.mt_events" };
        await using (var list = new NpgsqlCommand(
            "select table_name from information_schema.tables where table_schema = 'webhooks' and table_name like 'mt\\_doc\\_%'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) tables.Add("webhooks." + reader.GetString(0));
        }
        Assert.Contains("webhooks.mt_doc_webhook", tables);
        await using var count = new NpgsqlCommand(
            "select " + string.Join(" + ", tables.Select(table => $"(select count(*) from {table} stored where strpos(stored::text, @text) > 0)")),
            connection);
        count.Parameters.AddWithValue("text", text);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private async Task<long> EventsOf(Guid stream, string containing)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select count(*) from events.mt_events where stream_id = @stream and strpos(data::text, @text) > 0", connection);
        command.Parameters.AddWithValue("stream", stream);
        command.Parameters.AddWithValue("text", containing);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

using Ellity.Tests.Infrastructure;
using Ellity.Webhooks.Erasing;
using Npgsql;

namespace Ellity.Tests.Webhooks.Erasing;

/// <summary>Personal data erased on request, bodies erased after the retention period: gone from every stored event, facts kept.</summary>
[Collection(AppCollection.Name)]
public sealed class ErasureTests(AppFixture app)
{
    /// <summary>How many stored events and documents (events, deliveries, customers) still contain <paramref name="text"/>.</summary>
    private async Task<long> StoredCopiesOf(string text)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            select (select count(*) from events.mt_events where data::text like '%' || @text || '%')
                 + (select count(*) from webhooks.mt_doc_delivery where data::text like '%' || @text || '%')
                 + (select count(*) from customers.mt_doc_customer where data::text like '%' || @text || '%')
            """, connection);
        command.Parameters.AddWithValue("text", text);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task WaitUntilGone(string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await StoredCopiesOf(text) is var left and > 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{left} stored events or documents still contain {text}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task erasing_a_customer_masks_their_email_in_every_stored_event_and_keeps_the_facts()
    {
        var eshop = await app.NewEshopAsync();
        var email = $"erase-{Guid.NewGuid():N}@example.cz";
        var keptEmail = $"keep-{Guid.NewGuid():N}@example.cz";
        var getUrl = app.Receiver.NewEndpoint();
        var postUrl = app.Receiver.NewEndpoint();
        var get = await app.CreateWebhookAsync(eshop, "customer.credit.changed", getUrl + "/#customer.email#?mail=#customer.email#", null);
        var post = await app.CreateWebhookAsync(eshop, "customer.credit.changed", postUrl,
            """{"email": "#customer.email#", "credit": #customer.credit#}""");
        var stuck = await app.CreateWebhookAsync(eshop, "customer.credit.changed", app.Receiver.NewEndpoint(status: 500) + "?e=#customer.email#",
            null, retrySchedule: [3600]);
        var customer = await app.RegisterCustomerAsync(eshop, email, credit: 10m);
        var other = await app.RegisterCustomerAsync(eshop, keptEmail, credit: 10m);
        await app.ChangeCreditAsync(eshop, customer, 5m, "order 1");
        await app.ChangeCreditAsync(eshop, customer, -3m, "order 2");
        await app.ChangeCreditAsync(eshop, other, 1m);
        await app.WaitForFinishedDeliveriesAsync(eshop, get, 3);
        await app.WaitForFinishedDeliveriesAsync(eshop, post, 3);
        await app.WaitForDeliveriesAsync(eshop, stuck, ds => ds.Count == 3 && ds.AsDeliveries().All(d => d.Attempts.Count == 1),
            "a first failed attempt of each delivery to the failing webhook");
        Assert.Contains(app.Receiver.RequestsTo(postUrl), r => r.BodyText.Contains(email));
        Assert.True(await StoredCopiesOf(email) > 0);

        var (status, erased) = await app.SendAsync(HttpMethod.Delete, $"/api/eshops/{eshop}/customers/{customer}/personal-data");
        Assert.Equal(202, status);
        Assert.Equal("erased", erased!.AsCustomer().Email);

        await WaitUntilGone(email);
        var deliveries = (await app.WaitForDeliveriesAsync(eshop, stuck,
            ds => ds.AsDeliveries() is var all
                && all.Where(d => d.Request.Url.Contains("erased")).All(d => d.Status == "failed")
                && all.Count(d => d.ContentErasedAt is not null) == 2, "the erased customer's pending deliveries ended")).AsDeliveries();

        // The other customer keeps everything.
        Assert.True(await StoredCopiesOf(keptEmail) > 0);
        Assert.Single(deliveries, d => d.ContentErasedAt is null && d.Status == "pending");

        // The loyalty account and the audit trail's facts stay.
        var after = (await app.GetAsync($"/api/eshops/{eshop}/customers/{customer}")).AsCustomer();
        Assert.Equal(12m, after.Credit);
        Assert.NotNull(after.PersonalDataErasedAt);
        Assert.Contains("customer_personal_data_erased", await app.EventTypesAsync(customer));
        var log = (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{post}/deliveries")).AsDeliveryPage().Items;
        var erasedDeliveries = log.Where(d => d.ContentErasedAt is not null).ToList();
        Assert.Equal(2, erasedDeliveries.Count);
        foreach (var delivery in erasedDeliveries)
        {
            Assert.Equal("succeeded", delivery.Status);
            Assert.Equal(200, delivery.Attempts[0].StatusCode);
            Assert.Null(delivery.Request.Body);
            Assert.Equal("POST", delivery.Request.Method);
            var events = await app.EventTypesAsync(delivery.Id);
            Assert.Equal(["delivery_scheduled", "delivery_attempted", "delivery_succeeded", "delivery_content_erased"], events);
            await app.ExpectAsync(409, HttpMethod.Post, $"/api/eshops/{eshop}/deliveries/{delivery.Id}/redeliver");
        }

        // Erasing again changes nothing; another e-shop cannot erase this customer.
        Assert.Equal(202, (await app.SendAsync(HttpMethod.Delete, $"/api/eshops/{eshop}/customers/{customer}/personal-data")).Status);
        Assert.Single(await app.EventTypesAsync(customer), t => t == "customer_personal_data_erased");
        Assert.Equal(404, (await app.SendAsync(HttpMethod.Delete, $"/api/eshops/{await app.NewEshopAsync()}/customers/{other}/personal-data")).Status);
    }

    [Fact]
    public async Task bodies_are_erased_once_the_retention_period_ends_and_the_facts_stay()
    {
        var eshop = await app.NewEshopAsync();
        var marker = $"marker-{Guid.NewGuid():N}";
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", app.Receiver.NewEndpoint(),
            $$"""{"note": "{{marker}}", "credit": #customer.credit#}""");
        var customer = await app.RegisterCustomerAsync(eshop);
        await app.ChangeCreditAsync(eshop, customer, 5m);
        var old = (await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 1))[0]!.AsDelivery();
        await Task.Delay(10);
        var cutoff = DateTimeOffset.UtcNow;
        await app.ChangeCreditAsync(eshop, customer, 7m);
        await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 2);

        var erased = await DeliveryRetention.SweepAsync(app.Store, cutoff, CancellationToken.None);

        Assert.True(erased >= 1);
        var oldNow = (await app.GetAsync($"/api/eshops/{eshop}/deliveries/{old.Id}")).AsDelivery();
        Assert.NotNull(oldNow.ContentErasedAt);
        Assert.Null(oldNow.Request.Body);
        Assert.NotNull(old.CompletedAt);
        Assert.Equal(old.CompletedAt, oldNow.CompletedAt);
        Assert.Equal(200, oldNow.Attempts[0].StatusCode);
        Assert.Equal("succeeded", oldNow.Status);
        // Where it went stays as the receiver's origin; the path and query, which templates fill with customer values, go.
        Assert.Equal(app.Receiver.BaseUrl + "/erased", oldNow.Request.Url);
        // Left: the webhook's own body template, and the newer delivery's body in its event and its document.
        Assert.Equal(3, await StoredCopiesOf(marker));
        var newer = (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/deliveries")).AsDeliveryPage().Items;
        Assert.Contains(marker, newer[0].Request.Body);
        Assert.Null(newer[0].ContentErasedAt);


        Assert.Equal(0, await DeliveryRetention.SweepAsync(app.Store, cutoff, CancellationToken.None));
    }
}

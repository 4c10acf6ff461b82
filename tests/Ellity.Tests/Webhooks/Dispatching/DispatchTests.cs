using Ellity.Tests.Infrastructure;
using Marten;

namespace Ellity.Tests.Webhooks.Dispatching;

/// <summary>Deliveries are planned inside the subscription that publishes customer events: what one broken webhook does to the rest.</summary>
[Collection(FaultsCollection.Name)]
public sealed class DispatchTests(FaultsFixture app)
{
    [Fact]
    public async Task a_webhook_that_cannot_be_read_stops_only_its_own_events_not_every_shops()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => { c.Response.StatusCode = 200; return Task.CompletedTask; });
        var broken = await app.NewEshopAsync();
        var brokenWebhook = await app.CreateWebhookAsync(broken, "customer.credit.changed", receiver.Url + "/broken", null);
        var brokenCustomer = await app.RegisterCustomerAsync(broken);
        var healthy = await app.NewEshopAsync();
        var webhook = await app.CreateWebhookAsync(healthy, "customer.credit.changed", receiver.Url + "/healthy", null);
        var customer = await app.RegisterCustomerAsync(healthy);
        // A stored webhook that no longer reads (damaged by hand, or written by a version that had a bug).
        await using (var session = app.Store.LightweightSession())
        {
            session.QueueSqlCommand("update webhooks.mt_doc_webhook set data = jsonb_set(data, '{retrySchedule}', '\"broken\"') where id = ?",
                brokenWebhook);
            await session.SaveChangesAsync();
        }

        // The three changes usually reach dispatch together, in one page of the subscription.
        await Task.WhenAll(app.ChangeCreditAsync(broken, brokenCustomer, 1m), app.ChangeCreditAsync(healthy, customer, 1m));
        await app.ChangeCreditAsync(healthy, customer, 2m);

        var delivered = await app.WaitForFinishedDeliveriesAsync(healthy, webhook, 2);
        Assert.All(delivered, d => Assert.Equal("succeeded", d!["status"]!.GetValue<string>()));
        Assert.Equal(2, receiver.Requests.Count(r => r.PathAndQuery.EndsWith("/healthy")));
        Assert.DoesNotContain(receiver.Requests, r => r.PathAndQuery.EndsWith("/broken"));
        // The broken shop's event is kept for the operator, dead-lettered on its own, with what went wrong.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        await using var query = app.Store.QuerySession();
        while (!(await query.AdvancedSql.QueryAsync<string>(
                   "select exception_type from wolverine.wolverine_dead_letters where message_type like '%CustomerCreditChangedIntegrationEvent%' and position(convert_to(?, 'UTF8') in body) > 0",
                   CancellationToken.None, brokenCustomer.ToString())).Any())
        {
            Assert.True(DateTime.UtcNow < deadline, "the broken shop's event was not dead-lettered");
            await Task.Delay(200);
        }
    }
}

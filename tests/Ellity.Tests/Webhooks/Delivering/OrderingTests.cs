using System.Collections.Concurrent;
using Marten;
using Ellity.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Ellity.Tests.Webhooks.Delivering;

/// <summary>In-order delivery per customer: what keeps an ERP from ending with a stale balance when a retry overtakes a newer change.</summary>
[Collection(AppCollection.Name)]
public sealed class OrderingTests(AppFixture app)
{
    private async Task<Guid> OrderedWebhookAsync(string eshop, string url, int[] retrySchedule) =>
        (await app.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "ERP balances", trigger = "customer.credit.changed", url = url + "?c=#customer.id#&balance=#customer.credit#",
            enabled = true, retrySchedule, ordering = "perCustomer",
        }, 201))["id"]!.GetValue<Guid>();

    private static (string Customer, decimal Balance) Parse(ReceivedRequest request)
    {
        var query = QueryString.FromUriComponent(request.PathAndQuery[request.PathAndQuery.IndexOf('?')..]);
        var values = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query.Value);
        return (values["c"].ToString(), decimal.Parse(values["balance"].ToString(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task a_customers_changes_arrive_in_order_behind_a_retried_one_while_another_customers_are_not_held_up()
    {
        var eshop = await app.NewEshopAsync();
        var first = await app.RegisterCustomerAsync(eshop, "prvni@example.cz", credit: 0);
        var other = await app.RegisterCustomerAsync(eshop, "druhy@example.cz", credit: 0);
        var failures = 0;
        var answered = new ConcurrentQueue<(string Customer, decimal Balance, DateTimeOffset At)>();
        // The first customer's first change fails twice, then goes through; everything else at once.
        await using var receiver = await ScriptedReceiver.StartAsync((context, _) =>
        {
            var customer = context.Request.Query["c"].ToString();
            var balance = decimal.Parse(context.Request.Query["balance"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
            if (customer == first.ToString() && balance == 1 && Interlocked.Increment(ref failures) <= 2)
            {
                context.Response.StatusCode = 500;
                return Task.CompletedTask;
            }
            answered.Enqueue((customer, balance, DateTimeOffset.UtcNow));
            return Task.CompletedTask;
        });
        var webhook = await OrderedWebhookAsync(eshop, receiver.Url, [5, 5]);

        await app.ChangeCreditAsync(eshop, first, 1);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (receiver.Requests.Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        // The first change is now waiting for its retry; the burst comes behind it.
        await app.PostAsync($"/api/eshops/{eshop}/customers/credit-changes", new
        {
            changes = Enumerable.Range(0, 50).SelectMany(_ => new[] { new { customerId = first, value = 1 }, new { customerId = other, value = 1 } }),
        });
        await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 101);

        var mine = answered.Where(a => a.Customer == first.ToString()).ToList();
        var theirs = answered.Where(a => a.Customer == other.ToString()).ToList();
        Assert.Equal(Enumerable.Range(1, 51).Select(n => (decimal)n), mine.Select(a => a.Balance));
        Assert.Equal(Enumerable.Range(1, 50).Select(n => (decimal)n).Order(), theirs.Select(a => a.Balance).Order());
        var log = ((System.Text.Json.Nodes.JsonArray)(await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/deliveries?limit=500"))["items"]!).AsDeliveries();
        Assert.All(log, d => Assert.Equal("succeeded", d.Status));
        var retried = log.Single(d => d.Request.Url.EndsWith($"c={first}&balance=1", StringComparison.Ordinal));
        Assert.Equal(3, retried.Attempts.Count);
        // Each customer's deliveries wait only for that customer's: every later change of the first customer was held behind
        // one of its own, the other customer's first was not held at all and went (by the Host's clock) before the retried
        // one's second attempt, and the rest of theirs waited only for theirs.
        var mineIds = log.Where(d => d.Request.Url.Contains($"c={first}&", StringComparison.Ordinal)).Select(d => d.Id).ToHashSet();
        var others = log.Where(d => d.Request.Url.Contains($"c={other}&", StringComparison.Ordinal)).OrderBy(d => d.ScheduledAt).ToList();
        Assert.Equal(50, others.Count);
        var held = await HeldBehindAsync(log.Select(d => d.Id));
        Assert.Equal(50, mineIds.Count(held.ContainsKey));
        Assert.All(mineIds.Where(held.ContainsKey), id => Assert.Contains(held[id], mineIds));
        Assert.False(held.ContainsKey(others[0].Id));
        Assert.All(others.Where(d => held.ContainsKey(d.Id)), d => Assert.DoesNotContain(held[d.Id], mineIds));
        Assert.True(others[0].Attempts[0].StartedAt < retried.Attempts[1].StartedAt, "the other customer's first delivery waited for the retries");
    }

    /// <summary>Which of the deliveries were held, and behind which, read from their streams.</summary>
    private async Task<Dictionary<Guid, Guid>> HeldBehindAsync(IEnumerable<Guid> deliveries)
    {
        var ids = deliveries.ToArray();
        await using var session = app.Store.QuerySession();
        var events = await Marten.QueryableExtensions.ToListAsync(
            session.Events.QueryAllRawEvents().Where(e => e.EventTypeName == "delivery_held" && e.StreamId.IsOneOf(ids)));
        return events.ToDictionary(e => e.StreamId, e => ((Ellity.Webhooks.DeliveryHeld)e.Data).Behind);
    }

    [Fact]
    public async Task a_delivery_that_ends_failed_releases_the_next_one_and_the_log_says_so()
    {
        var eshop = await app.NewEshopAsync();
        var customer = await app.RegisterCustomerAsync(eshop, credit: 0);
        await using var receiver = await ScriptedReceiver.StartAsync((context, _) =>
        {
            context.Response.StatusCode = context.Request.Query["balance"] == "1" ? 503 : 200;
            return Task.CompletedTask;
        });
        var webhook = await OrderedWebhookAsync(eshop, receiver.Url, [1]);

        await app.ChangeCreditAsync(eshop, customer, 1);
        await app.ChangeCreditAsync(eshop, customer, 1);
        var log = (await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 2)).AsDeliveries().OrderBy(d => d.ScheduledAt).ToList();

        Assert.Equal(["failed", "succeeded"], log.Select(d => d.Status));
        Assert.Equal(2, log[0].Attempts.Count);
        Assert.True(log[1].Attempts[0].StartedAt >= log[0].CompletedAt, "the second was attempted before the first ended");
        var events = (await app.GetAsync($"/api/eshops/{eshop}/deliveries/{log[1].Id}/events")).AsArray();
        var held = events.Single(e => e!["type"]!.GetValue<string>() == "delivery_held")!;
        Assert.Equal(log[0].Id, held["data"]!["behind"]!.GetValue<Guid>());
        var released = events.Single(e => e!["type"]!.GetValue<string>() == "delivery_released")!;
        Assert.Equal(log[0].Id, released["data"]!["after"]!.GetValue<Guid>());
        Assert.Equal(["(1, 503)", "(1, 503)", "(2, 200)"],
            receiver.Requests.Select(r => $"({Parse(r).Balance}, {(Parse(r).Balance == 1 ? 503 : 200)})"));
    }

    [Fact]
    public async Task ordering_other_than_the_two_known_is_a_400_and_the_default_is_unordered()
    {
        var eshop = await app.NewEshopAsync();
        var (status, problem) = await app.SendAsync(HttpMethod.Post, $"/api/eshops/{eshop}/webhooks",
            new { name = "x", trigger = "customer.credit.changed", url = "https://erp.example.cz/", ordering = "PerCustomer" });
        Assert.Equal(400, status);
        Assert.NotNull(problem!["errors"]!["ordering"]);

        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", "https://erp.example.cz/", null);
        Assert.Equal("none", (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}"))["ordering"]!.GetValue<string>());
    }
}

using Ellity.Tests.Infrastructure;

namespace Ellity.Tests.Webhooks.Delivering;

/// <summary>A webhook's rate limit: what the receiver allows, kept however many deliveries are due at once.</summary>
[Collection(AppCollection.Name)]
public sealed class RateLimitTests(AppFixture app)
{
    /// <summary>
    /// The most requests sent within any one second, by when the Host started each (the attempts' <c>startedAt</c>). The
    /// receiver runs in the test process, which other test collections keep busy: its own clock readings can lump requests
    /// together that were sent apart, so they show what arrived, not when it was sent.
    /// </summary>
    public static int BusiestSecond(IEnumerable<DateTimeOffset> sent)
    {
        var times = sent.Order().ToList();
        var most = 0;
        for (int first = 0, last = 0; first < times.Count; first++)
        {
            while (last < times.Count && times[last] - times[first] < TimeSpan.FromSeconds(1)) last++;
            most = Math.Max(most, last - first);
        }
        return most;
    }

    [Fact]
    public async Task a_burst_of_120_changes_to_a_webhook_limited_to_5_a_second_arrives_whole_never_more_than_5_in_any_second()
    {
        var eshop = await app.NewEshopAsync();
        // The Host's first requests (JIT, connections) can hold several attempts at once and let them go together; that
        // is the process starting, not pacing, which is what this test measures: one delivery first warms them up.
        var warm = app.Receiver.NewEndpoint();
        var warmWebhook = await app.CreateWebhookAsync(eshop, "customer.registered", warm, null);
        var customer = await app.RegisterCustomerAsync(eshop, credit: 0);
        await app.WaitForFinishedDeliveriesAsync(eshop, warmWebhook, 1);
        var endpoint = app.Receiver.NewEndpoint();
        var webhook = (await app.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "Paced ERP", trigger = "customer.credit.changed", url = endpoint + "?v=#creditChange.value#", enabled = true,
            rateLimit = new { requests = 5, per = "second" },
        }, 201))["id"]!.GetValue<Guid>();

        await app.PostAsync($"/api/eshops/{eshop}/customers/credit-changes",
            new { changes = Enumerable.Range(1, 120).Select(n => new { customerId = customer, value = n }) });
        var received = await app.Receiver.WaitForRequestsAsync(endpoint, 120, TimeSpan.FromSeconds(90));
        await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 120);

        Assert.Equal(Enumerable.Range(1, 120).Select(n => $"v={n}"), received.Select(r => r.PathAndQuery.Split('?')[1])
            .OrderBy(v => int.Parse(v[2..])));
        var log = ((System.Text.Json.Nodes.JsonArray)(await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/deliveries?limit=500"))["items"]!).AsDeliveries();
        Assert.All(log, d => Assert.Equal("succeeded", d.Status));
        Assert.All(log, d => Assert.Single(d.Attempts));
        // Evenly spaced, 0.2 s apart: one more in a second is the most the window's edges can catch.
        var sent = log.Select(d => d.Attempts[0].StartedAt).ToList();
        var busiest = BusiestSecond(sent);
        Assert.True(busiest <= 6, $"{busiest} requests sent within one second: "
            + string.Join(" ", sent.Order().Select(t => $"{(t - sent.Min()).TotalMilliseconds:0}")));
        Assert.InRange((sent.Max() - sent.Min()).TotalSeconds, 22.5, 60);
    }

    [Theory]
    [InlineData("""{"requests": 0, "per": "second"}""", "rateLimit.requests")]
    [InlineData("""{"requests": 51, "per": "second"}""", "rateLimit.requests")]
    [InlineData("""{"requests": 3001, "per": "minute"}""", "rateLimit.requests")]
    [InlineData("""{"per": "minute"}""", "rateLimit.requests")]
    [InlineData("""{"requests": 5, "per": "hour"}""", "rateLimit.per")]
    [InlineData("""{"requests": 5}""", "rateLimit.per")]
    [InlineData("""{"requests": 5, "per": "Second"}""", "rateLimit.per")]
    public async Task a_rate_limit_that_cannot_be_kept_is_a_400_naming_its_field(string limit, string field)
    {
        var eshop = await app.NewEshopAsync();
        var (status, problem) = await app.SendAsync(HttpMethod.Post, $"/api/eshops/{eshop}/webhooks",
            $$"""{"name": "Paced", "trigger": "customer.credit.changed", "url": "https://erp.example.cz/", "rateLimit": {{limit}}}""");

        Assert.Equal(400, status);
        Assert.NotNull(problem!["errors"]![field]);
        Assert.Empty((await app.GetAsync($"/api/eshops/{eshop}/webhooks")).AsArray());
    }

    [Fact]
    public async Task the_rate_limit_is_changed_and_cleared_with_the_webhook_and_recorded_in_its_history()
    {
        var eshop = await app.NewEshopAsync();
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", "https://erp.example.cz/", null);
        var limited = await app.PutAsync($"/api/eshops/{eshop}/webhooks/{webhook}", new
        {
            name = "Paced", trigger = "customer.credit.changed", url = "https://erp.example.cz/", rateLimit = new { requests = 100, per = "minute" },
        });
        Assert.Equal(100, limited["rateLimit"]!["requests"]!.GetValue<int>());
        Assert.Equal("minute", limited["rateLimit"]!["per"]!.GetValue<string>());
        var cleared = await app.PutAsync($"/api/eshops/{eshop}/webhooks/{webhook}", new
        {
            name = "Paced", trigger = "customer.credit.changed", url = "https://erp.example.cz/",
        });
        Assert.Null(cleared["rateLimit"]);

        var changes = (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/history")).AsArray()
            .Where(h => h!["change"]!.GetValue<string>() == "rate-limit-changed").ToList();
        Assert.Equal(2, changes.Count);
        Assert.Equal(100, changes[0]!["data"]!["rateLimit"]!["requests"]!.GetValue<int>());
        Assert.Null(changes[1]!["data"]!["rateLimit"]);
    }
}

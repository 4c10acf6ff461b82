using System.Text.Json.Nodes;
using Ellity.Customers;
using Ellity.Customers.Contracts;
using Ellity.Tests.Infrastructure;
using Ellity.Webhooks;
using Marten;
using Npgsql;

namespace Ellity.Tests.Webhooks.Resyncing;

/// <summary>A resync sends every customer's state through a webhook, as a job with progress that can be cancelled.</summary>
[Collection(AppCollection.Name)]
public sealed class ResyncTests(AppFixture app)
{
    private const string Header = "ellity-resync";

    /// <summary>
    /// Customers registered the way the Customers module records them, many in one transaction; their credits are 0 to
    /// count - 1, shuffled (37 shares no factor with the counts used), so customers of every credit are on every page.
    /// </summary>
    private async Task<Dictionary<Guid, decimal>> RegisterCustomersAsync(string eshop, int count)
    {
        var credits = new Dictionary<Guid, decimal>();
        await using var session = app.Store.LightweightSession();
        for (var i = 0; i < count; i++)
        {
            var id = Guid.CreateVersion7();
            credits[id] = i * 37 % count;
            session.Events.StartStream<Customer>(id, new CustomerRegistered(id, eshop, $"c{i}@example.cz", credits[id], null, null));
        }
        await session.SaveChangesAsync();
        return credits;
    }

    private Task<JsonNode> JobAsync(string eshop, Guid webhook, string job) =>
        app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/resyncs/{job}");

    private Task<JsonNode> WaitForJobAsync(string eshop, Guid webhook, string job, Func<JsonNode, bool> done, string what) =>
        app.WaitForAsync($"/api/eshops/{eshop}/webhooks/{webhook}/resyncs/{job}", done, what, TimeSpan.FromSeconds(120));

    private static int Int(JsonNode job, string name) => job[name]!.GetValue<int>();

    private static (Guid Customer, decimal Credit) Sent(ReceivedRequest request)
    {
        var body = JsonNode.Parse(request.BodyText)!;
        return (Guid.Parse(body["id"]!.GetValue<string>()), body["credit"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task a_resync_cancelled_half_way_and_started_again_sends_every_matching_customer_once_per_completed_job_and_nothing_else()
    {
        var eshop = await app.NewEshopAsync();
        var credits = await RegisterCustomersAsync(eshop, 2000);
        var endpoint = app.Receiver.NewEndpoint();
        var webhook = (await app.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "ERP", trigger = "customer.credit.changed", url = endpoint, enabled = true,
            body = """{"id": "#customer.id#", "credit": #customer.credit#, "change": "#creditChange.value#"}""",
            conditions = new[] { new { variable = "customer.credit", @operator = ">=", value = 1000 } },
        }, 201)).AsCreatedWebhook().Id;
        var matching = credits.Where(c => c.Value >= 1000).Select(c => c.Key).ToHashSet();

        var first = await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/resyncs", new { onlyMatching = true }, 202);
        var firstId = first["id"]!.GetValue<string>();
        Assert.Equal("running", first["status"]!.GetValue<string>());
        Assert.Equal(2000, Int(first, "total"));
        // One at a time.
        var twice = await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/resyncs", new { onlyMatching = true }, 409);
        Assert.Contains(firstId, twice["detail"]!.GetValue<string>());

        await WaitForJobAsync(eshop, webhook, firstId, j => Int(j, "processed") >= 800, "the first resync half-way");
        var cancelled = await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/resyncs/{firstId}/cancel", null);
        Assert.Equal(("cancelled", "user"), (cancelled["status"]!.GetValue<string>(), cancelled["cancelledBy"]!.GetValue<string>()));
        await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/resyncs/{firstId}/cancel", null, 409);
        var stopped = await JobAsync(eshop, webhook, firstId);
        var sentBefore = Int(stopped, "sent");
        Assert.InRange(Int(stopped, "processed"), 800, 1999);
        Assert.InRange(sentBefore, 1, Int(stopped, "processed") - 1);
        Assert.Equal(Int(stopped, "processed"), sentBefore + Int(stopped, "skipped"));
        Assert.True(Int(stopped, "percent") < 100);

        var second = await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/resyncs", new { onlyMatching = true }, 202);
        var secondId = second["id"]!.GetValue<string>();
        var done = await WaitForJobAsync(eshop, webhook, secondId, j => j["status"]!.GetValue<string>() != "running", "the second resync done");
        Assert.Equal("completed", done["status"]!.GetValue<string>());
        Assert.Equal((2000, 2000, 1000, 1000, 100),
            (Int(done, "total"), Int(done, "processed"), Int(done, "sent"), Int(done, "skipped"), Int(done, "percent")));
        // The cancelled job made no progress after its cancel.
        Assert.Equal(sentBefore, Int(await JobAsync(eshop, webhook, firstId), "sent"));

        var received = await app.Receiver.WaitForRequestsAsync(endpoint, sentBefore + 1000, TimeSpan.FromSeconds(120));
        await Task.Delay(1000);
        received = app.Receiver.RequestsTo(endpoint);
        var byJob = received.GroupBy(r => r.Headers.GetValueOrDefault(Header) ?? "none").ToDictionary(g => g.Key, g => g.Select(Sent).ToList());
        Assert.Equal([firstId, secondId], byJob.Keys.Order());
        Assert.Equal(matching.Order(), byJob[secondId].Select(s => s.Customer).Order());
        Assert.Equal(sentBefore, byJob[firstId].Count);
        Assert.Equal(sentBefore, byJob[firstId].Select(s => s.Customer).Distinct().Count());
        Assert.Subset(matching, byJob[firstId].Select(s => s.Customer).ToHashSet());
        Assert.All(byJob.Values.SelectMany(s => s), s => Assert.Equal(credits[s.Customer], s.Credit));
        // A state is no change: the trigger's own variables render empty.
        Assert.All(received, r => Assert.Equal("", JsonNode.Parse(r.BodyText)!["change"]!.GetValue<string>()));

        // Ordinary audited deliveries, each marked with its job.
        await using var session = app.Store.QuerySession();
        var deliveries = await session.Query<Delivery>().Where(d => d.WebhookId == webhook).ToListAsync();
        Assert.Equal(sentBefore + 1000, deliveries.Count);
        Assert.Equal(1000, deliveries.Count(d => d.ResyncJobId == Guid.Parse(secondId)));
        var history = (JsonArray)await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/history");
        Assert.Equal(["resync-started", "resync-ended", "resync-started", "resync-ended"],
            history.Select(c => c!["change"]!.GetValue<string>()).Where(c => c.StartsWith("resync")));
        var listed = (JsonArray)await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/resyncs");
        Assert.Equal([secondId, firstId], listed.Select(j => j!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task a_resync_sends_the_customers_as_they_were_when_it_started_and_leaves_out_erased_and_later_ones()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        var kept = await app.RegisterCustomerAsync(eshop, "kept@example.cz", credit: 10m, tier: new { id = "gold", name = "Zlatá" });
        var erased = await app.RegisterCustomerAsync(eshop, "erased@example.cz", credit: 20m);
        await app.ExpectAsync(202, HttpMethod.Delete, $"/api/eshops/{eshop}/customers/{erased}/personal-data");
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", endpoint,
            """{"id": "#customer.id#", "credit": #customer.credit#, "tier": "#customer.tier.name#", "email": "#customer.email#"}""");

        var job = await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/resyncs", new { }, 202);
        // After the start: neither the change nor the new customer is part of it (the change is delivered on its own).
        await app.ChangeCreditAsync(eshop, kept, 5m);
        await app.RegisterCustomerAsync(eshop, "later@example.cz", credit: 30m);
        var done = await WaitForJobAsync(eshop, webhook, job["id"]!.GetValue<string>(), j => j["status"]!.GetValue<string>() == "completed",
            "the resync completed");

        Assert.Equal(1, Int(job, "total"));
        Assert.Equal((1, 1), (Int(done, "processed"), Int(done, "sent")));
        var requests = await app.Receiver.WaitForRequestsAsync(endpoint, 2);
        await Task.Delay(500);
        requests = app.Receiver.RequestsTo(endpoint);
        Assert.Equal(2, requests.Count);
        var resync = Assert.Single(requests, r => r.Headers.ContainsKey(Header));
        Assert.Equal($$"""{"id": "{{kept}}", "credit": 10, "tier": "Zlatá", "email": "kept@example.cz"}""", resync.BodyText);
        var change = Assert.Single(requests, r => !r.Headers.ContainsKey(Header));
        Assert.Contains("\"credit\": 15", change.BodyText);
    }

    [Fact]
    public async Task a_resync_goes_at_the_webhooks_rate_limit_and_stops_when_the_webhook_is_switched_off()
    {
        var eshop = await app.NewEshopAsync();
        await RegisterCustomersAsync(eshop, 300);
        var endpoint = app.Receiver.NewEndpoint();
        var webhook = (await app.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "Slow ERP", trigger = "customer.credit.changed", url = endpoint, enabled = false, body = """{"id": "#customer.id#"}""",
            rateLimit = new { requests = 10, per = "second" },
        }, 201)).AsCreatedWebhook().Id;
        var off = await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/resyncs", new { }, 409);
        Assert.Contains("switched off", off["detail"]!.GetValue<string>());

        await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/enable", null);
        var job = (await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/resyncs", new { }, 202))["id"]!.GetValue<string>();
        // At 10 a second a page is what the webhook may take in 5 s: 50 customers, the next page 5 s later.
        var page = await WaitForJobAsync(eshop, webhook, job, j => Int(j, "processed") > 0, "the first page");
        Assert.Equal(50, Int(page, "processed"));
        await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/disable", null);

        var stopped = await WaitForJobAsync(eshop, webhook, job, j => j["status"]!.GetValue<string>() != "running", "the resync stopped");
        Assert.Equal("cancelled", stopped["status"]!.GetValue<string>());
        Assert.Equal(("The webhook was switched off.", "system"),
            (stopped["cancelReason"]!.GetValue<string>(), stopped["cancelledBy"]!.GetValue<string>()));
        Assert.Equal(50, Int(stopped, "processed"));
        // Another e-shop does not see it, even with the right ids.
        var other = await app.NewEshopAsync();
        await app.GetAsync($"/api/eshops/{other}/webhooks/{webhook}/resyncs/{job}", 404);
        await app.PostAsync($"/api/eshops/{other}/webhooks/{webhook}/resyncs/{job}/cancel", null, 404);
        await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/resyncs/{Guid.NewGuid()}", 404);
    }

    [Fact]
    public async Task a_page_that_keeps_failing_ends_the_resync_with_its_reason_and_the_next_one_can_start()
    {
        var eshop = await app.NewEshopAsync();
        var credits = await RegisterCustomersAsync(eshop, 30);
        var endpoint = app.Receiver.NewEndpoint();
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", endpoint, """{"id": "#customer.id#", "credit": #customer.credit#}""");
        // One customer's stored state cannot be read (a damaged row): every try of the first page throws.
        var damaged = credits.Keys.Min();
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        async Task SetCreditAsync(string json)
        {
            await using var update = new NpgsqlCommand(
                "UPDATE customers.mt_doc_customer SET data = jsonb_set(data, '{credit}', @credit::jsonb) WHERE id = @id", connection);
            update.Parameters.AddWithValue("credit", json);
            update.Parameters.AddWithValue("id", damaged);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }
        await SetCreditAsync("""{"broken": true}""");

        var job = (await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/resyncs", new { }, 202))["id"]!.GetValue<string>();
        var stopped = await WaitForJobAsync(eshop, webhook, job, j => j["status"]!.GetValue<string>() != "running", "the resync stopped");
        Assert.Equal(("cancelled", "system", 0),
            (stopped["status"]!.GetValue<string>(), stopped["cancelledBy"]!.GetValue<string>(), Int(stopped, "sent")));
        Assert.StartsWith("Stopped by an internal error", stopped["cancelReason"]!.GetValue<string>());
        Assert.Empty(app.Receiver.RequestsTo(endpoint));

        // Repaired, the same webhook can be resynced again, and everyone arrives.
        await SetCreditAsync(credits[damaged].ToString(System.Globalization.CultureInfo.InvariantCulture));
        var again = (await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/resyncs", new { }, 202))["id"]!.GetValue<string>();
        var done = await WaitForJobAsync(eshop, webhook, again, j => j["status"]!.GetValue<string>() != "running", "the second resync done");
        Assert.Equal(("completed", 30), (done["status"]!.GetValue<string>(), Int(done, "sent")));
        var received = await app.Receiver.WaitForRequestsAsync(endpoint, 30, TimeSpan.FromSeconds(60));
        Assert.Equal(credits.Keys.Order(), received.Select(Sent).Select(x => x.Customer).Order());
    }

    [Fact]
    public async Task a_resync_to_a_receiver_that_hangs_waits_for_each_page_to_be_attempted_instead_of_queueing_every_customer()
    {
        var eshop = await app.NewEshopAsync();
        await RegisterCustomersAsync(eshop, 400);
        await using var tarpit = new Tarpit();
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", tarpit.Url, """{"id": "#customer.id#"}""",
            retrySchedule: []);
        var job = (await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/resyncs", new { }, 202))["id"]!.GetValue<string>();

        // A page is 100 customers; with 10 requests to the webhook at a time, each hanging until the attempt times out, the
        // first page takes several timeouts to be attempted: until then no second page is queued.
        await WaitForJobAsync(eshop, webhook, job, j => Int(j, "processed") == 100, "the first page");
        while (tarpit.FirstGivenUpAt is null) await Task.Delay(100);
        Assert.Equal(100, Int(await JobAsync(eshop, webhook, job), "processed"));
        Assert.True(tarpit.Connections < 100, $"{tarpit.Connections} of the first page's requests were made already");

        // Cancels that race each other end the job once: one is taken, the others hear it has ended.
        var cancels = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            app.SendAsync(HttpMethod.Post, $"/api/eshops/{eshop}/webhooks/{webhook}/resyncs/{job}/cancel")));
        Assert.Equal([200, 409, 409, 409], cancels.Select(c => c.Status).Order());
        Assert.Equal("cancelled", (await JobAsync(eshop, webhook, job))["status"]!.GetValue<string>());
        var history = await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/history");
        Assert.Single(history.AsArray(), e => e!["change"]!.GetValue<string>() == "resync-ended");
    }
}

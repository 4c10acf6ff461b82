using System.Diagnostics;
using System.Net;
using Ellity.Tests.Infrastructure;
using Ellity.Webhooks;
using Ellity.Webhooks.Subscribing;
using Marten;
using Npgsql;

namespace Ellity.Tests.Webhooks.Delivering;

/// <summary>What one shop can make this service do is bounded: in size, in number, in time, in requests.</summary>
[Collection(AppCollection.Name)]
public sealed class BoundedWorkTests(AppFixture app)
{
    // Each is escaped as \u2028 in JSON (six chars) and as %E2%80%A8 in a URL (nine).
    private static readonly string LongReason = new('\u2028', 490);
    private const string Reason = "#creditChange.reason#";

    private async Task<long> StoredCharsAsync(Guid streamId)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select coalesce(sum(length(data::text)), 0) from events.mt_events where stream_id = @id", connection);
        command.Parameters.AddWithValue("id", streamId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task a_body_that_would_render_to_megabytes_is_neither_sent_nor_stored()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        // 63 KB of template: with a short reason a few kilobytes, with the long one 8.8 MB.
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", endpoint,
            "{\"r\": \"" + string.Concat(Enumerable.Repeat(Reason, 3000)) + "\"}");
        var customer = await app.RegisterCustomerAsync(eshop);

        await app.ChangeCreditAsync(eshop, customer, 1m, LongReason);
        await app.ChangeCreditAsync(eshop, customer, 1m, "ok");

        var deliveries = await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 2);
        var huge = deliveries.AsDeliveries().Single(d => d.Status == "failed");
        Assert.Contains("the body is larger than 262144 bytes", huge.FailureReason);
        Assert.Empty(huge.Attempts);
        Assert.Null(huge.Request.Body);
        Assert.InRange(await StoredCharsAsync(huge.Id), 1, 20_000);
        var sent = await app.SingleRequestAsync(eshop, endpoint);
        Assert.Contains("okok", sent.BodyText);
        await app.ExpectAsync(409, HttpMethod.Post, $"/api/eshops/{eshop}/deliveries/{huge.Id}/redeliver");
    }

    [Fact]
    public async Task a_url_that_would_render_past_its_limit_is_not_sent_and_only_its_template_is_kept()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        var url = endpoint + "?r=" + string.Concat(Enumerable.Repeat(Reason, 90));
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", url, null);
        var customer = await app.RegisterCustomerAsync(eshop);

        await app.ChangeCreditAsync(eshop, customer, 1m, LongReason);

        var delivery = Assert.Single(await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 1))!.AsDelivery();
        Assert.Equal("failed", delivery.Status);
        Assert.Contains("the URL is longer than 8192 bytes", delivery.FailureReason);
        Assert.Equal(url, delivery.Request.Url);
        Assert.Empty(delivery.Attempts);
        Assert.Empty(app.Receiver.RequestsTo(endpoint));
    }

    [Theory]
    [InlineData("http://#customer.group.id#/x")]
    [InlineData("https://#customer.email#.example.cz/")]
    [InlineData("https://erp.example.cz:#customer.credit#/")]
    [InlineData("#customer.email#")]
    public async Task variables_may_not_choose_where_a_delivery_goes(string url)
    {
        var eshop = await app.NewEshopAsync();

        var problem = await app.PostAsync($"/api/eshops/{eshop}/webhooks",
            new { name = "w", trigger = "customer.credit.changed", url }, 400);

        Assert.NotNull(problem["errors"]!["url"]);
        await app.PostAsync($"/api/eshops/{eshop}/webhooks",
            new { name = "w", trigger = "customer.credit.changed", url = "https://erp.example.cz/#customer.id#?e=#customer.email#" }, 201);
    }

    [Fact]
    public async Task a_saved_url_that_renders_invalid_ends_its_delivery_failed_instead_of_pending_for_ever()
    {
        // Saved before variables were kept out of the host: the stream is what an older version wrote.
        var eshop = await app.NewEshopAsync();
        var webhook = Guid.CreateVersion7();
        await using (var session = app.Store.LightweightSession())
        {
            session.Events.StartStream<Webhook>(webhook, new WebhookCreated(webhook, eshop, "legacy", "customer.credit.changed",
                "http://#customer.group.id#/x", null, true, DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }
        var customer = await app.RegisterCustomerAsync(eshop);

        await app.ChangeCreditAsync(eshop, customer, 1m);

        var delivery = Assert.Single(await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 1))!.AsDelivery();
        Assert.Equal("failed", delivery.Status);
        Assert.Contains("not a valid http(s) URL", delivery.FailureReason);
        Assert.Null(delivery.NextAttemptAt);
    }

    [Fact]
    public async Task an_eshop_has_at_most_a_hundred_webhooks_even_when_they_are_created_at_once()
    {
        var eshop = await app.NewEshopAsync();
        await using (var session = app.Store.LightweightSession())
        {
            for (var n = 0; n < 90; n++)
            {
                var id = Guid.CreateVersion7();
                session.Events.StartStream<Webhook>(id, new WebhookCreated(id, eshop, $"w{n}", "customer.credit.changed",
                    "https://erp.example.cz/", null, true, DateTimeOffset.UtcNow));
            }
            await session.SaveChangesAsync();
        }
        var body = new { name = "one more", trigger = "customer.credit.changed", url = "https://erp.example.cz/" };

        var statuses = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(_ => app.SendAsync(HttpMethod.Post, $"/api/eshops/{eshop}/webhooks", body)));

        Assert.Equal(10, statuses.Count(s => s.Status == 201));
        var refused = statuses.Where(s => s.Status != 201).ToList();
        Assert.All(refused, s => Assert.Equal(409, s.Status));
        Assert.Equal("Too many webhooks", refused[0].Body!["title"]!.GetValue<string>());
        var webhooks = (await app.GetAsync($"/api/eshops/{eshop}/webhooks")).AsWebhooks();
        Assert.Equal(100, webhooks.Count);
        await app.ExpectAsync(204, HttpMethod.Delete, $"/api/eshops/{eshop}/webhooks/{webhooks[0].Id}");
        await app.PostAsync($"/api/eshops/{eshop}/webhooks", body, 201);
    }

    [Fact]
    public async Task a_shop_whose_receivers_hang_does_not_hold_up_another_shops_deliveries()
    {
        await using var tarpit = new Tarpit();
        var hanging = await app.NewEshopAsync();
        var webhooks = new List<Guid>();
        for (var n = 0; n < 3; n++)
            webhooks.Add(await app.CreateWebhookAsync(hanging, "customer.credit.changed", tarpit.Url, null, retrySchedule: []));
        var stuck = await app.RegisterCustomerAsync(hanging);
        // Set up before the flood: the time it takes on a busy machine must not count against the other shop's delivery.
        var other = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        await app.CreateWebhookAsync(other, "customer.credit.changed", endpoint, null);
        var customer = await app.RegisterCustomerAsync(other);
        try
        {
            // 60 deliveries to receivers that never answer: without a cap per shop they would take every sender.
            for (var n = 0; n < 20; n++) await app.ChangeCreditAsync(hanging, stuck, 1m);
            for (var wait = Stopwatch.StartNew(); tarpit.Connections < 16; await Task.Delay(50))
                Assert.True(wait.Elapsed < TimeSpan.FromSeconds(4), $"only {tarpit.Connections} requests reached the tarpit");

            await app.ChangeCreditAsync(other, customer, 1m);
            var delivered = Assert.Single(await app.Receiver.WaitForRequestsAsync(endpoint, 1));

            // Held up, it would get a sender only once a hanging request is given up at its timeout and frees one; the
            // tarpit sees that moment as the connection closing. Arriving before it tells the two apart without timing the
            // machine, however long the flood took to build up.
            var givenUp = tarpit.FirstGivenUpAt;
            Assert.True(givenUp is null || delivered.At < givenUp,
                $"the other shop's delivery arrived at {delivered.At:O}, after a hanging request was given up at {givenUp:O}");
            // Never more than the shop's 16 at once, however many were given up and replaced meanwhile.
            Assert.InRange(tarpit.Open, 1, 16);
        }
        finally
        {
            // Their pending attempts end here rather than holding senders for the tests that follow.
            foreach (var webhook in webhooks) await app.PostAsync($"/api/eshops/{hanging}/webhooks/{webhook}/disable", null);
        }
    }

    [Fact]
    public async Task floods_of_writes_test_sends_recoveries_and_exports_get_429_with_retry_after_and_other_shops_go_on()
    {
        var flooding = await app.NewEshopAsync();
        var other = await app.NewEshopAsync();
        var webhook = await app.CreateWebhookAsync(flooding, "customer.credit.changed", app.Receiver.NewEndpoint(), null, enabled: false);
        var preview = new { trigger = "customer.credit.changed", url = "https://erp.example.cz/" };

        // A flood comes at once: sent one after another on a busy machine, 150 could take long enough for the bucket to refill.
        var previews = (await Task.WhenAll(Enumerable.Range(0, 150)
            .Select(_ => SendAsync(HttpMethod.Post, $"/api/eshops/{flooding}/webhooks/preview", preview)))).ToList();
        var tests = new List<HttpResponseMessage>();
        for (var n = 0; n < 12; n++) tests.Add(await SendAsync(HttpMethod.Post, $"/api/eshops/{flooding}/webhooks/{webhook}/test", null));

        foreach (var answers in new[] { previews, tests })
        {
            Assert.Contains(answers, r => r.StatusCode == HttpStatusCode.OK || r.StatusCode == HttpStatusCode.Accepted);
            var limited = answers.FirstOrDefault(r => r.StatusCode == HttpStatusCode.TooManyRequests);
            Assert.NotNull(limited);
            Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single()) >= 1);
            Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(2, tests.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        var since = new { since = DateTimeOffset.UtcNow.AddHours(-1) };
        var recovers = new List<HttpResponseMessage>();
        for (var n = 0; n < 6; n++) recovers.Add(await SendAsync(HttpMethod.Post, $"/api/eshops/{flooding}/webhooks/{webhook}/recover", since));
        var exports = new List<HttpResponseMessage>();
        for (var n = 0; n < 6; n++) exports.Add(await SendAsync(HttpMethod.Get, $"/api/eshops/{flooding}/deliveries/export", null));
        Assert.Equal(HttpStatusCode.TooManyRequests, recovers[^1].StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, exports[^1].StatusCode);
        Assert.Equal(HttpStatusCode.OK, exports[0].StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"/api/eshops/{other}/webhooks/preview", preview)).StatusCode);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, object? body)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new("Bearer", AppFixture.OperatorKey);
        if (body is not null) request.Content = System.Net.Http.Json.JsonContent.Create(body);
        var response = await app.Host.Server.CreateClient().SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}

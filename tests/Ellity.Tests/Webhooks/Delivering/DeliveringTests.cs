using System.Text.Json;
using System.Text.Json.Nodes;
using Ellity.Tests.Infrastructure;
using Ellity.Webhooks;
using Ellity.Webhooks.Delivering;
using Marten;

namespace Ellity.Tests.Webhooks.Delivering;

/// <summary>Customer events becoming real HTTP requests to a real receiver on 127.0.0.1.</summary>
[Collection(AppCollection.Name)]
public sealed class DeliveringTests(AppFixture app)
{
    [Fact]
    public async Task credit_change_sends_the_templated_post_with_escaped_json_and_encoded_url()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        await app.CreateWebhookAsync(eshop, "customer.credit.changed",
            endpoint + "/hook?id=#customer.id#&email=#customer.email#",
            "{ \"eshop\":\"#account.eshopId#\", \"email\":\"#customer.email#\", \"credit\": #customer.credit#,\n  \"change\": #creditChange.value#, \"reason\": \"#creditChange.reason#\", \"tier\": #customer.tier.id#, \"custom\": { \"field\":\"#fff\" } }");
        var customer = await app.RegisterCustomerAsync(eshop, email: "ja\"na\\x@example.cz", credit: 1234m);

        await app.ChangeCreditAsync(eshop, customer, 0.5m, "objednávka \"123\"");

        var request = await app.SingleRequestAsync(eshop, endpoint);
        Assert.Equal("POST", request.Method);
        Assert.EndsWith($"/hook?id={customer}&email=ja%22na%5Cx%40example.cz", request.PathAndQuery);
        Assert.Equal("application/json; charset=utf-8", request.Headers["Content-Type"]);
        Assert.Equal(
            $"{{ \"eshop\":\"{eshop}\", \"email\":\"ja\\\"na\\\\x@example.cz\", \"credit\": 1234.5,\n  \"change\": 0.5, \"reason\": \"objednávka \\\"123\\\"\", \"tier\": \"\", \"custom\": {{ \"field\":\"#fff\" }} }}",
            request.BodyText);
        using var json = JsonDocument.Parse(request.Body);
        Assert.Equal("ja\"na\\x@example.cz", json.RootElement.GetProperty("email").GetString());
        Assert.Equal(1234.5m, json.RootElement.GetProperty("credit").GetDecimal());
    }

    [Fact]
    public async Task webhook_without_body_sends_a_get_with_no_body()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        await app.CreateWebhookAsync(eshop, "customer.tier.changed",
            endpoint + "/#customer.id#?tier=#customer.tier.name#&prev=#tierChange.previous.name#&credit=#creditChange.value#", null);
        var customer = await app.RegisterCustomerAsync(eshop, tier: new { id = "silver", name = "Stříbrná" });

        await app.PutAsync($"/api/eshops/{eshop}/customers/{customer}/tier", new { id = "gold", name = "Zlatá VIP" });

        var request = await app.SingleRequestAsync(eshop, endpoint);
        Assert.Equal("GET", request.Method);
        Assert.Empty(request.Body);
        Assert.False(request.Headers.ContainsKey("Content-Type"));
        Assert.EndsWith($"/{customer}?tier=Zlat%C3%A1%20VIP&prev=St%C5%99%C3%ADbrn%C3%A1&credit=", request.PathAndQuery);
    }

    [Fact]
    public async Task two_rapid_credit_changes_deliver_the_two_successive_balances()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        await app.CreateWebhookAsync(eshop, "customer.credit.changed", endpoint, "{\"credit\": #customer.credit#, \"change\": #creditChange.value#}");
        var customer = await app.RegisterCustomerAsync(eshop, credit: 100m);

        await Task.WhenAll(
            app.ChangeCreditAsync(eshop, customer, -20.5m),
            app.ChangeCreditAsync(eshop, customer, -30m));

        var requests = await app.Receiver.WaitForRequestsAsync(endpoint, 2);
        var seen = requests.Select(r => Payload<CreditPayload>(r.BodyText))
            .Select(b => (b.Credit, b.Change))
            .OrderByDescending(x => x.Credit).ToList();
        Assert.Equal(2, seen.Count);
        // Whichever change committed first, the balances are 100 + first and then + second.
        Assert.Equal(100m + seen[0].Change, seen[0].Credit);
        Assert.Equal(seen[0].Credit + seen[1].Change, seen[1].Credit);
        Assert.Equal(49.5m, seen[1].Credit);
    }

    [Fact]
    public async Task every_change_of_a_customer_with_a_history_carries_the_customer_right_after_it()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        await app.CreateWebhookAsync(eshop, "customer.credit.changed", endpoint,
            "{\"credit\": #customer.credit#, \"change\": #creditChange.value#, \"tier\": \"#customer.tier.id#\", \"group\": \"#customer.group.id#\"}");
        var customer = await app.RegisterCustomerAsync(eshop, credit: 0m);

        // Credit, tier and group changes interleaved, as fast as they commit: the publisher sees them in pages of
        // several events of the one customer, with more committed behind them.
        var expected = new Dictionary<decimal, (decimal Credit, string Tier, string Group)>();
        var (credit, tier, group) = (0m, "", "");
        for (var n = 1; n <= 40; n++)
        {
            if (n % 5 == 0)
            {
                tier = $"t{n}";
                await app.PutAsync($"/api/eshops/{eshop}/customers/{customer}/tier", new { id = tier, name = tier });
            }
            if (n % 7 == 0)
            {
                group = $"g{n}";
                await app.PutAsync($"/api/eshops/{eshop}/customers/{customer}/group", new { id = group, name = group });
            }
            credit += n;
            await app.ChangeCreditAsync(eshop, customer, n);
            expected[n] = (credit, tier, group);
        }

        var seen = (await app.Receiver.WaitForRequestsAsync(endpoint, 40)).Select(r => Payload<CustomerAfterPayload>(r.BodyText))
            .ToDictionary(b => b.Change, b => (b.Credit, b.Tier, b.Group));
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task every_change_of_a_batch_is_its_own_delivery_with_the_balance_after_it()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        await app.CreateWebhookAsync(eshop, "customer.credit.changed", endpoint,
            "{\"customer\": \"#customer.id#\", \"credit\": #customer.credit#, \"reason\": \"#creditChange.reason#\"}");
        var customers = new[] { await app.RegisterCustomerAsync(eshop, credit: 0m), await app.RegisterCustomerAsync(eshop, credit: 0m) };

        await app.PostAsync($"/api/eshops/{eshop}/customers/credit-changes", new
        {
            changes = Enumerable.Range(1, 60).Select(n => new { customerId = customers[n % 2], value = n, reason = $"change {n}" }),
        });

        var seen = (await app.Receiver.WaitForRequestsAsync(endpoint, 60)).Select(r => Payload<BatchPayload>(r.BodyText))
            .ToDictionary(b => b.Reason, b => (b.Customer, b.Credit));
        var expected = Enumerable.Range(1, 60).ToDictionary(n => $"change {n}",
            n => (customers[n % 2], (decimal)Enumerable.Range(1, n).Where(m => m % 2 == n % 2).Sum()));
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task two_webhooks_on_one_trigger_both_fire_and_another_eshops_webhook_does_not()
    {
        var eshop = await app.NewEshopAsync();
        var (first, second, foreign) = (app.Receiver.NewEndpoint(), app.Receiver.NewEndpoint(), app.Receiver.NewEndpoint());
        await app.CreateWebhookAsync(eshop, "customer.credit.changed", first, null);
        await app.CreateWebhookAsync(eshop, "customer.credit.changed", second, "{\"c\": #customer.credit#}");
        var foreignEshop = await app.NewEshopAsync();
        var foreignWebhook = await app.CreateWebhookAsync(foreignEshop, "customer.credit.changed", foreign, null);
        var customer = await app.RegisterCustomerAsync(eshop);

        await app.ChangeCreditAsync(eshop, customer, 10m);

        await app.Receiver.WaitForRequestsAsync(first, 1);
        await app.Receiver.WaitForRequestsAsync(second, 1);
        // An event's deliveries are planned together: had the other shop's webhook matched, its delivery would be logged by now.
        Assert.Empty((await app.GetAsync($"/api/eshops/{foreignEshop}/webhooks/{foreignWebhook}/deliveries")).AsDeliveryPage().Items);
        Assert.Empty(app.Receiver.RequestsTo(foreign));
    }

    [Fact]
    public async Task disabled_webhook_sends_nothing_and_once_enabled_sends_only_new_events()
    {
        var eshop = await app.NewEshopAsync();
        var control = app.Receiver.NewEndpoint();
        var target = app.Receiver.NewEndpoint();
        // The always-enabled control proves each event was dispatched before we look at the target.
        await app.CreateWebhookAsync(eshop, "customer.credit.changed", control, null);
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", target + "?credit=#customer.credit#", null, enabled: false);
        var customer = await app.RegisterCustomerAsync(eshop, credit: 100m);

        await app.ChangeCreditAsync(eshop, customer, 1m);
        await app.Receiver.WaitForRequestsAsync(control, 1);
        await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/enable", null);
        await app.ChangeCreditAsync(eshop, customer, 2m);
        await app.Receiver.WaitForRequestsAsync(control, 2);

        var request = await app.SingleRequestAsync(eshop, target);
        Assert.EndsWith("?credit=103", request.PathAndQuery);
    }

    [Fact]
    public async Task deleted_webhook_sends_nothing()
    {
        var eshop = await app.NewEshopAsync();
        var control = app.Receiver.NewEndpoint();
        var target = app.Receiver.NewEndpoint();
        await app.CreateWebhookAsync(eshop, "customer.credit.changed", control, null);
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", target, null);
        await app.ExpectAsync(204, HttpMethod.Delete, $"/api/eshops/{eshop}/webhooks/{webhook}");
        var customer = await app.RegisterCustomerAsync(eshop);

        await app.ChangeCreditAsync(eshop, customer, 1m);

        await app.Receiver.WaitForRequestsAsync(control, 1);
        // An event's deliveries are planned together: had the deleted webhook matched, its delivery would be logged by now.
        Assert.Empty((await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/deliveries")).AsDeliveryPage().Items);
        Assert.Empty(app.Receiver.RequestsTo(target));
    }

    [Fact]
    public async Task registration_trigger_fires_for_new_customers()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        await app.CreateWebhookAsync(eshop, "customer.registered", endpoint,
            "{\"type\": \"#event.type#\", \"email\": \"#customer.email#\", \"group\": \"#customer.group.name#\", \"at\": \"#event.occurredAt#\"}");

        await app.RegisterCustomerAsync(eshop, email: "novy@example.cz", group: new { id = "b2b", name = "Firmy" });

        var body = Payload<RegistrationPayload>((await app.SingleRequestAsync(eshop, endpoint)).BodyText);
        Assert.Equal("customer.registered", body.Type);
        Assert.Equal("novy@example.cz", body.Email);
        Assert.Equal("Firmy", body.Group);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", body.At);
    }

    [Fact]
    public async Task successful_delivery_is_recorded_with_request_attempt_and_its_raw_stream()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", endpoint, "{\"c\": #customer.credit#}");
        var customer = await app.RegisterCustomerAsync(eshop, credit: 5m);

        await app.ChangeCreditAsync(eshop, customer, 1m);

        var delivery = Assert.Single(await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 1))!.AsDelivery();
        var id = delivery.Id;
        delivery.ShouldHaveSucceeded();
        Assert.Equal("POST", delivery.Request.Method);
        Assert.Equal("{\"c\": 6}", delivery.Request.Body);
        Assert.Single(delivery.Attempts).ShouldHaveBeenAnswered(200, "answered 200");
        var received = Assert.Single(app.Receiver.RequestsTo(endpoint));
        Assert.Equal(id.ToString(), received.Headers["webhook-id"]);

        var events = (await app.GetAsync($"/api/eshops/{eshop}/deliveries/{id}/events")).AsDeliveryEvents();
        Assert.Equal(["delivery_scheduled", "delivery_attempted", "delivery_succeeded"],
            events.Select(e => e.Type).ToArray());
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Version).ToArray());
        await app.GetAsync($"/api/eshops/{await app.NewEshopAsync()}/deliveries/{id}", 404);
        await app.GetAsync($"/api/eshops/{await app.NewEshopAsync()}/deliveries/{id}/events", 404);
    }

    [Fact]
    public async Task receiver_error_is_recorded_as_a_failed_attempt()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint(status: 500);
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", endpoint, null, retrySchedule: []);
        var customer = await app.RegisterCustomerAsync(eshop);

        await app.ChangeCreditAsync(eshop, customer, 1m);

        var delivery = Assert.Single(await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 1))!.AsDelivery();
        Assert.Equal("failed", delivery.Status);
        var attempt = Assert.Single(delivery.Attempts);
        attempt.ShouldHaveBeenAnswered(500, "answered 500");
        Assert.Contains("500", attempt.Error);
    }

    [Fact]
    public async Task unreachable_receiver_is_a_failed_attempt_with_a_clear_error()
    {
        var eshop = await app.NewEshopAsync();
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", $"http://127.0.0.1:{ClosedPort()}/hook", null, retrySchedule: []);
        var customer = await app.RegisterCustomerAsync(eshop);

        await app.ChangeCreditAsync(eshop, customer, 1m);

        var attempt = Assert.Single((await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 1))[0]!.AsDelivery().Attempts);
        Assert.Null(attempt.StatusCode);
        Assert.Equal("Connection refused.", attempt.Error);
    }

    [Fact]
    public async Task delivery_stream_replays_into_the_same_view()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint(status: 503);
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", endpoint, "{\"c\": #customer.credit#}", retrySchedule: []);
        var customer = await app.RegisterCustomerAsync(eshop);
        await app.ChangeCreditAsync(eshop, customer, 1m);
        var id = (await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 1))[0]!.AsDelivery().Id;

        await using var session = app.Store.QuerySession();
        var stored = await session.LoadAsync<Delivery>(id);
        var replayed = await session.Events.AggregateStreamAsync<Delivery>(id);

        Assert.NotNull(stored);
        Assert.Equal(DeliveryStatus.Failed, replayed!.Status);
        Assert.Equal(JsonSerializer.Serialize(stored), JsonSerializer.Serialize(replayed));
    }

    // What the templates above render, read as a receiver would: by the names the template gives its fields.
    private sealed record CreditPayload(decimal Credit, decimal Change);

    private sealed record CustomerAfterPayload(decimal Credit, decimal Change, string Tier, string Group);

    private sealed record BatchPayload(Guid Customer, decimal Credit, string Reason);

    private sealed record RegistrationPayload(string Type, string Email, string Group, string At);

    private static T Payload<T>(string body) => JsonNode.Parse(body)!.ReadAs<T>();

    private static int ClosedPort()

    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

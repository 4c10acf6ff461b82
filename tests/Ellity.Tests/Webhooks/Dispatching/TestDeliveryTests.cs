using Ellity.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;

namespace Ellity.Tests.Webhooks.Dispatching;

/// <summary>"Send test": the webhook's request with sample data, sent now through the real pipeline.</summary>
[Collection(AppCollection.Name)]
public sealed class TestDeliveryTests(AppFixture app)
{
    [Fact]
    public async Task a_test_sends_the_sample_request_signed_even_when_the_webhook_is_disabled_and_logs_it_as_a_test()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        var created = await app.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "tested", trigger = "customer.credit.changed", enabled = false,
            url = endpoint + "?credit=#customer.credit#",
            body = "{\"eshop\": \"#account.eshopId#\", \"email\": \"#customer.email#\", \"change\": #creditChange.value#}",
        }, 201);
        var (webhook, secret) = created.AsCreatedWebhook();

        var accepted = await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/test", null, 202);

        var deliveryId = accepted.ReadAs<TestDeliveryView>().DeliveryId;
        var request = await app.SingleRequestAsync(eshop, endpoint);
        Assert.Equal("POST", request.Method);
        Assert.EndsWith("?credit=1250.5", request.PathAndQuery);
        Assert.Equal($"{{\"eshop\": \"{eshop}\", \"email\": \"jana.novakova@example.cz\", \"change\": -20.5}}", request.BodyText);
        Assert.Equal(deliveryId.ToString(), request.Headers["webhook-id"]);
        var headers = new HeaderDictionary();
        foreach (var (name, value) in request.Headers) headers[name] = value;
        new StandardWebhook(secret).Verify(request.BodyText, headers);

        var delivery = (await app.WaitForAsync($"/api/eshops/{eshop}/deliveries/{deliveryId}",
            d => d.AsDelivery().Status != "pending", "the test delivery to finish")).AsDelivery();
        delivery.ShouldHaveSucceeded();
        Assert.True(delivery.Test);
        Assert.Equal(200, delivery.Attempts[0].StatusCode);
        var log = (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/deliveries")).AsDeliveryPage().Items;
        Assert.Equal(deliveryId, Assert.Single(log).Id);
    }

    [Fact]
    public async Task a_failing_test_is_not_retried_and_reports_the_failure_at_once()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint(status: 500);
        var webhook = await app.CreateWebhookAsync(eshop, "customer.tier.changed", endpoint + "/#customer.tier.id#", null);

        var deliveryId = (await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/test", null, 202)).ReadAs<TestDeliveryView>().DeliveryId;

        var delivery = (await app.WaitForAsync($"/api/eshops/{eshop}/deliveries/{deliveryId}",
            d => d.AsDelivery().Status != "pending", "the test delivery to finish")).AsDelivery();
        Assert.Equal("failed", delivery.Status);
        Assert.Single(delivery.Attempts).ShouldHaveBeenAnswered(500, "answered 500");
        Assert.Equal("GET", Assert.Single(app.Receiver.RequestsTo(endpoint)).Method);
        Assert.EndsWith("/gold", app.Receiver.RequestsTo(endpoint)[0].PathAndQuery);
    }

    [Fact]
    public async Task another_eshops_key_cannot_test_a_webhook()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", endpoint, null);
        var (other, otherKey) = await app.RegisterEshopAsync();

        var asOtherShop = await app.SendAsync(HttpMethod.Post, $"/api/eshops/{other}/webhooks/{webhook}/test", key: otherKey);
        var intoOtherShop = await app.SendAsync(HttpMethod.Post, $"/api/eshops/{eshop}/webhooks/{webhook}/test", key: otherKey);

        Assert.Equal(404, asOtherShop.Status);
        Assert.Equal(404, intoOtherShop.Status);
        Assert.Empty((await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/deliveries")).AsDeliveryPage().Items);

        Assert.Empty(app.Receiver.RequestsTo(endpoint));
    }
}

using System.Security.Cryptography;
using System.Text;
using Ellity.Tests.Infrastructure;
using Ellity.Webhooks;
using Ellity.Webhooks.Delivering;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace Ellity.Tests.Webhooks.Delivering;

/// <summary>Deliveries signed per Standard Webhooks, checked by the StandardWebhooks package and by hand.</summary>
[Collection(AppCollection.Name)]
public sealed class SigningTests(AppFixture app)
{
    [Fact]
    public void signature_matches_the_specs_known_answer()
    {
        var signature = WebhookSender.Signature("msg_p5jXN8AQM9LWM0D4loKWxJek", DateTimeOffset.FromUnixTimeSeconds(1614265330),
            "{\"test\": 2432232314}", ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]);

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    private static string HandMadeSignature(string secret, string id, string timestamp, byte[] body)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var content = Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(body).ToArray();
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    internal static void AssertSignedWith(string secret, ReceivedRequest request)
    {
        var expected = HandMadeSignature(secret, request.Headers["webhook-id"], request.Headers["webhook-timestamp"], request.Body);
        Assert.Contains(expected, request.Headers["webhook-signature"].Split(' '));

        // StandardWebhooks 1.1.2 only reads a header holding a single signature (the spec allows a
        // space-separated list), so each signature we sent is offered to it on its own.
        var verified = request.Headers["webhook-signature"].Split(' ').Count(signature =>
        {
            var headers = new HeaderDictionary();
            foreach (var (name, value) in request.Headers) headers[name] = value;
            headers["webhook-signature"] = signature;
            try
            {
                new StandardWebhook(secret).Verify(request.BodyText, headers);
                return true;
            }
            catch (WebhookVerificationException)
            {
                return false;
            }
        });
        Assert.Equal(1, verified);
    }

    [Fact]
    public async Task each_delivery_is_signed_over_exactly_the_bytes_sent()
    {
        var eshop = await app.NewEshopAsync();
        var (post, get) = (app.Receiver.NewEndpoint(), app.Receiver.NewEndpoint());
        var created = await app.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "signed", trigger = "customer.credit.changed", url = post, body = "{ \"e\": \"#customer.email#\",  \"c\": #customer.credit# }",
        }, 201);
        var secret = created.AsCreatedWebhook().Secret;
        Assert.StartsWith("whsec_", secret);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
        var getSecret = (await app.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "signed get", trigger = "customer.credit.changed", url = get + "?e=#customer.email#",
        }, 201)).AsCreatedWebhook().Secret;
        var customer = await app.RegisterCustomerAsync(eshop, email: "žluťoučký@example.cz");

        await app.ChangeCreditAsync(eshop, customer, 1.5m);

        var request = await app.SingleRequestAsync(eshop, post);
        AssertSignedWith(secret, request);
        Assert.InRange(long.Parse(request.Headers["webhook-timestamp"]), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(),
            DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var getRequest = await app.SingleRequestAsync(eshop, get);
        Assert.Empty(getRequest.Body);
        AssertSignedWith(getSecret, getRequest);
        Assert.DoesNotContain(HandMadeSignature(getSecret, request.Headers["webhook-id"], request.Headers["webhook-timestamp"], request.Body),
            request.Headers["webhook-signature"].Split(' '));
    }

    [Fact]
    public async Task after_a_rotation_deliveries_carry_signatures_of_both_secrets()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        var created = await app.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "rotating", trigger = "customer.credit.changed", url = endpoint, body = "{\"c\": #customer.credit#}",
        }, 201);
        var (webhook, old) = created.AsCreatedWebhook();

        var rotated = (await app.PostAsync($"/api/eshops/{eshop}/webhooks/{webhook}/secret/rotate", null)).AsSecret();
        var current = (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/secret")).AsSecret();
        var customer = await app.RegisterCustomerAsync(eshop);
        await app.ChangeCreditAsync(eshop, customer, 1m);

        var secret = rotated.Secret;
        Assert.NotEqual(old, secret);
        Assert.Equal(secret, current.Secret);
        Assert.InRange(Assert.NotNull(current.PreviousSecretExpiresAt), DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25));
        var request = await app.SingleRequestAsync(eshop, endpoint);
        Assert.Equal(2, request.Headers["webhook-signature"].Split(' ').Length);
        AssertSignedWith(old, request);
        AssertSignedWith(secret, request);
        await app.GetAsync($"/api/eshops/{await app.NewEshopAsync()}/webhooks/{webhook}/secret", 404);
        await app.PostAsync($"/api/eshops/{await app.NewEshopAsync()}/webhooks/{webhook}/secret/rotate", null, 404);
        Assert.Null((await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}"))["secret"]);
    }
}

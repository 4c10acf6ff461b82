using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ellity.Tests.Infrastructure;
using Ellity.Webhooks;
using Microsoft.AspNetCore.Http;

namespace Ellity.Tests.Webhooks.Delivering;

/// <summary>What a shop owner reads about a failing receiver: the kind, plain words in their language, and what a recovery would send.</summary>
[Collection(FaultsCollection.Name)]
public sealed class FailureExplanationTests(FaultsFixture app)
{
    private async Task<(string Eshop, Guid Webhook, Guid Customer)> WebhookTo(string url)
    {
        var eshop = await app.NewEshopAsync();
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", url, "{\"credit\": #customer.credit#}",
            retrySchedule: []);
        return (eshop, webhook, await app.RegisterCustomerAsync(eshop));
    }

    private async Task<JsonNode> GetIn(string language, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new("Bearer", AppFixture.OperatorKey);
        request.Headers.AcceptLanguage.ParseAdd(language);
        using var response = await app.Host.Server.CreateClient().SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    [Fact]
    public async Task a_refused_key_is_explained_on_the_attempt_the_delivery_and_the_webhook_in_the_language_asked_for()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) =>
        {
            c.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        });
        var (eshop, webhook, customer) = await WebhookTo(receiver.Url);
        await app.ChangeCreditAsync(eshop, customer, 1m);
        var id = Assert.Single(await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 1))!.AsDelivery().Id;

        var english = (await GetIn("en-GB,en;q=0.9", $"/api/eshops/{eshop}/deliveries/{id}")).AsDelivery();
        var czech = (await GetIn("cs-CZ,cs;q=0.9,en;q=0.5", $"/api/eshops/{eshop}/deliveries/{id}")).AsDelivery();
        var unnamed = (await app.GetAsync($"/api/eshops/{eshop}/deliveries/{id}")).AsDelivery();

        Assert.Equal("failed", english.Status);
        Assert.Equal(FailureKinds.CredentialsRefused, english.FailureKind);
        Assert.Equal(FailureKinds.CredentialsRefused, Assert.Single(english.Attempts).FailureKind);
        Assert.Equal(FailureKinds.Explain(FailureKinds.CredentialsRefused, "en").Text, english.Explanation!.Text);
        Assert.Contains("key", english.Explanation.Fix);
        Assert.Equal(FailureKinds.Explain(FailureKinds.CredentialsRefused, "cs").Fix, czech.Explanation!.Fix);
        Assert.Equal(czech.Explanation, new ExplanationView(czech.Attempts[0].Explanation!.Text, czech.Attempts[0].Explanation!.Fix));
        // Without Accept-Language the API answers in English; numbers and times stay as they were.
        Assert.Equal(english.Explanation, unnamed.Explanation);
        Assert.Equal(english.ScheduledAt, czech.ScheduledAt);

        var health = (await app.WaitForAsync($"/api/eshops/{eshop}/webhooks/{webhook}",
            w => w.AsWebhook().Health.LastFailureKind is not null, "the webhook's health to show the failure")).AsWebhook().Health;
        Assert.Equal(FailureKinds.CredentialsRefused, health.LastFailureKind);
        Assert.Equal(english.Explanation, health.Explanation);
        Assert.Equal(health.FailingSince, health.ProblemSince);
        var czechHealth = (await GetIn("cs", $"/api/eshops/{eshop}/webhooks")).AsArray()[0]!.AsWebhook().Health;
        Assert.Equal(czech.Explanation, czechHealth.Explanation);
    }

    [Fact]
    public async Task the_count_of_what_a_recovery_would_send_is_what_it_sends()
    {
        var up = false;
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) =>
        {
            c.Response.StatusCode = up ? 200 : 503;
            return Task.CompletedTask;
        });
        var (eshop, webhook, customer) = await WebhookTo(receiver.Url);
        for (var n = 0; n < 4; n++) await app.ChangeCreditAsync(eshop, customer, 1m);
        await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 4);
        var health = (await app.WaitForAsync($"/api/eshops/{eshop}/webhooks/{webhook}",
            w => w.AsWebhook().Health.ConsecutiveFailures == 4, "four failures in the health")).AsWebhook().Health;
        var since = Uri.EscapeDataString(health.ProblemSince!.Value.ToString("O"));

        var count = await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/recover?since={since}");
        Assert.Equal(4, (int)count["failed"]!);
        // Another shop, an unknown webhook, no time or a time outside the retention: the usual answers.
        await app.GetAsync($"/api/eshops/{await app.NewEshopAsync()}/webhooks/{webhook}/recover?since={since}", 404);
        await app.GetAsync($"/api/eshops/{eshop}/webhooks/{Guid.NewGuid()}/recover?since={since}", 404);
        var missing = await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/recover", 400);
        Assert.NotNull(missing["errors"]!["since"]);
        await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/recover?since=2001-01-01T00:00:00Z", 400);
        await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/recover?since=yesterday", 400);

        up = true;
        await app.ExpectAsync(202, HttpMethod.Post, $"/api/eshops/{eshop}/webhooks/{webhook}/recover", new { since = health.ProblemSince });
        await app.WaitForDeliveriesAsync(eshop, webhook, d => d.AsDeliveries().All(x => x.Status == "succeeded"), "all recovered");
        Assert.Equal(8, receiver.Requests.Count);
        Assert.Equal(0, (int)(await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/recover?since={since}"))["failed"]!);
        // The problem is over, and when it began is still known.
        var after = (await app.WaitForAsync($"/api/eshops/{eshop}/webhooks/{webhook}", w => !w.AsWebhook().Health.Failing,
            "the webhook working again")).AsWebhook().Health;
        Assert.Equal(health.ProblemSince, after.ProblemSince);
    }
}

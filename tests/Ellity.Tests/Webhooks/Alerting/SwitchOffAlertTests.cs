using System.Text.Json.Nodes;
using Ellity.Tests.Infrastructure;

namespace Ellity.Tests.Webhooks.Alerting;

/// <summary>
/// The run to an automatic switch-off, in seconds instead of days (this fixture disables after 4 s and warns 2 s before):
/// the owner is told it fails, warned once, and told once it was switched off.
/// </summary>
[Collection(FaultsCollection.Name)]
public sealed class SwitchOffAlertTests(FaultsFixture app)
{
    [Fact]
    public async Task a_webhook_that_keeps_failing_sends_failing_then_one_warning_then_switched_off_and_nothing_else()
    {
        var eshop = await app.NewEshopAsync();
        var owner = $"owner-{eshop}@example.cz";
        await app.PutAsync($"/api/eshops/{eshop}/notifications", new { language = "en", emails = new[] { owner }, failingAfterAttempts = 2 });
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", app.Receiver.NewEndpoint(500), null,
            name: "Mailing", retrySchedule: [1, 1, 1, 1, 1, 1, 1, 1]);
        await app.ChangeCreditAsync(eshop, await app.RegisterCustomerAsync(eshop), 5);

        await app.WaitForAsync($"/api/eshops/{eshop}/webhooks/{webhook}", w => !w.AsWebhook().Enabled, "the webhook to be switched off");

        // Each signal raises one alert at most, in the order of the webhook's history; e-mails may overtake one another.
        // A slow first signal can come when the warning is already due, which then says it fails on its own.
        var history = (JsonArray)await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/history");
        var alerts = history.Where(c => c!["change"]!.GetValue<string>() == "alert-sent").Select(c => c!["data"]!["alert"]!.GetValue<string>()).ToList();
        Assert.True(alerts.SequenceEqual(["failing", "willBeDisabled", "disabled"]) || alerts.SequenceEqual(["willBeDisabled", "disabled"]),
            string.Join(", ", alerts));
        // The owner has the warning for the fixture's 2 s before the switch-off, however late it came (less the time its commit took).
        var warnedAt = history.Single(c => c!["data"]!["alert"]?.GetValue<string>() == "willBeDisabled")!["at"]!.GetValue<DateTimeOffset>();
        var offAt = history.Single(c => c!["change"]!.GetValue<string>() == "auto-disabled")!["at"]!.GetValue<DateTimeOffset>();
        Assert.True(offAt - warnedAt >= TimeSpan.FromSeconds(1), $"warned at {warnedAt:O}, switched off at {offAt:O}");
        await app.Mail.WaitForAsync(owner, alerts.Count);
        await Task.Delay(1500);
        var mails = app.Mail.To(owner);
        var subjects = mails.Select(m => m.Subject).ToList();
        Assert.Equal(alerts.Count, subjects.Count);
        Assert.Single(subjects, s => s == "Webhook \"Mailing\" will be switched off soon");
        Assert.Single(subjects, s => s == "Webhook \"Mailing\" was switched off");
        var warning = mails.Single(m => m.Subject?.EndsWith("soon") == true);
        Assert.Contains("will be switched off automatically", warning.TextBody);
        var disabled = mails.Single(m => m.Subject?.EndsWith("switched off") == true);
        Assert.Contains("every attempt since", disabled.TextBody);
        // The API's English reason is not repeated inside the sentence: the last error has its own line.
        Assert.DoesNotContain("without a success", disabled.TextBody);
        Assert.Contains("The receiver has a problem of its own (a 5xx error).", disabled.TextBody);
    }

    [Fact]
    public async Task a_webhook_with_no_attempt_left_is_warned_by_the_clock_and_switched_off_only_by_its_next_failure()
    {
        var eshop = await app.NewEshopAsync();
        var owner = $"owner-{eshop}@example.cz";
        await app.PutAsync($"/api/eshops/{eshop}/notifications", new { language = "en", emails = new[] { owner }, failingAfterAttempts = 1 });
        var endpoint = app.Receiver.NewEndpoint(500);
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", endpoint, null, name: "ERP", retrySchedule: []);
        var customer = await app.RegisterCustomerAsync(eshop);
        await app.ChangeCreditAsync(eshop, customer, 5);
        var failed = Assert.Single(await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 1))!.AsDelivery();

        // Its one attempt gave up and nothing else happens: the warning comes 2 s after it, from the clock alone.
        await app.Mail.WaitForAsync(owner, 2);
        var url = $"/api/eshops/{eshop}/webhooks/{webhook}";
        var history = (JsonArray)await app.GetAsync($"{url}/history");
        var warning = history.Single(c => c!["data"]!["alert"]?.GetValue<string>() == "willBeDisabled")!;
        Assert.True(warning["at"]!.GetValue<DateTimeOffset>() - failed.Attempts[0].StartedAt >= TimeSpan.FromSeconds(2), warning.ToJsonString());
        Assert.Equal(["Webhook \"ERP\" is failing", "Webhook \"ERP\" will be switched off soon"], app.Mail.To(owner).Select(m => m.Subject).Order());

        // Past the 4 s it may fail for, the clock does not switch it off; the next failure does.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.True((await app.GetAsync(url)).AsWebhook().Enabled);
        Assert.Single(app.Receiver.RequestsTo(endpoint));
        await app.ChangeCreditAsync(eshop, customer, 6);
        var off = (await app.WaitForAsync(url, w => !w.AsWebhook().Enabled, "the webhook to be switched off")).AsWebhook();
        Assert.Equal("failedTooLong", off.AutoDisabled?.Cause);
        await app.Mail.WaitForAsync(owner, 3);
        history = (JsonArray)await app.GetAsync($"{url}/history");
        Assert.Equal(["failing", "willBeDisabled", "disabled"], history.Where(c => c!["change"]!.GetValue<string>() == "alert-sent")
            .Select(c => c!["data"]!["alert"]!.GetValue<string>()));
    }
}

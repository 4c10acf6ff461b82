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
        await app.Mail.WaitForAsync(owner, 2);
        await Task.Delay(1500);
        var mails = app.Mail.To(owner);

        // Each signal raises one alert at most, in the order of the webhook's history; e-mails may overtake one another.
        // A slow first signal can come when the warning is already due, which then says it fails on its own.
        var history = (JsonArray)await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/history");
        var alerts = history.Where(c => c!["change"]!.GetValue<string>() == "alert-sent").Select(c => c!["data"]!["alert"]!.GetValue<string>()).ToList();
        Assert.True(alerts.SequenceEqual(["failing", "willBeDisabled", "disabled"]) || alerts.SequenceEqual(["willBeDisabled", "disabled"]),
            string.Join(", ", alerts));
        var subjects = app.Mail.To(owner).Select(m => m.Subject).ToList();
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
}

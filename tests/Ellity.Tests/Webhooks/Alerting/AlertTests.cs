using System.Text.Json.Nodes;
using Ellity.Tests.Infrastructure;
using Ellity.Tests.Webhooks.Delivering;
using Ellity.Webhooks;
using Ellity.Webhooks.Alerting;
using Microsoft.AspNetCore.DataProtection;

namespace Ellity.Tests.Webhooks.Alerting;

/// <summary>
/// Alerts as a shop owner gets them: e-mail through a real SMTP server and the operational webhook on a real receiver, one
/// message per transition, with the shipped thresholds and quiet period.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class AlertTests(AppFixture app)
{
    private static string Owner(string eshop) => $"owner-{eshop}@example.cz";

    private async Task<(string Eshop, Guid Webhook, Guid Customer, string Endpoint, string Operations)> FailingWebhookAsync(
        object? settings = null, string language = "cs")
    {
        var eshop = await app.NewEshopAsync();
        var operations = app.Receiver.NewEndpoint();
        await app.PutAsync($"/api/eshops/{eshop}/notifications", settings ?? new
        {
            language, emails = new[] { Owner(eshop) }, webhookUrl = operations, failingAfterAttempts = 3,
        });
        var endpoint = app.Receiver.NewEndpoint(401);
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", endpoint + "?token=erp-secret", "{\"credit\": #customer.credit#}",
            name: "Konto do ERP", retrySchedule: []);
        return (eshop, webhook, await app.RegisterCustomerAsync(eshop), endpoint, operations);
    }

    private async Task<JsonArray> AlertsInHistoryAsync(string eshop, Guid webhook) =>
        [.. ((JsonArray)await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}/history"))
            .Where(c => c!["change"]!.GetValue<string>() == "alert-sent").Select(c => c!.DeepClone())];

    [Fact]
    public async Task a_webhook_failing_three_times_in_a_row_sends_one_email_and_one_signed_post_and_one_each_when_it_works_again()
    {
        var (eshop, webhook, customer, endpoint, operations) = await FailingWebhookAsync();
        for (var i = 1; i <= 3; i++) await app.ChangeCreditAsync(eshop, customer, i);
        await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 3);

        var failing = Assert.Single(await app.Mail.WaitForAsync(Owner(eshop), 1));
        Assert.Equal("Webhook „Konto do ERP“ nefunguje", failing.Subject);
        Assert.Equal("alerts@ellity.test", failing.From.Mailboxes.Single().Address);
        Assert.Contains("(neúspěšných pokusů za sebou: 3)", failing.TextBody);

        Assert.Contains(FailureKinds.Explain(FailureKinds.CredentialsRefused, "cs").Text, failing.TextBody);
        Assert.Contains("Co s tím: " + FailureKinds.Explain(FailureKinds.CredentialsRefused, "cs").Fix, failing.TextBody);
        Assert.Contains("Poslední chyba: The receiver answered 401 Unauthorized.", failing.TextBody);
        Assert.Contains($"http://127.0.0.1:5080/admin#/webhooks/{webhook}/deliveries", failing.TextBody);
        Assert.Contains($"<a href=\"http://127.0.0.1:5080/admin#/webhooks/{webhook}/deliveries\">", failing.HtmlBody);
        Assert.Contains("Příjemce odmítl přihlašovací údaje", failing.HtmlBody);
        // The key in the URL's query stays out of the e-mail.
        Assert.Contains($"Adresa: {endpoint}?…", failing.TextBody);
        Assert.DoesNotContain("erp-secret", failing.TextBody + failing.HtmlBody);

        var post = Assert.Single(await app.Receiver.WaitForRequestsAsync(operations, 1));
        var settings = await app.GetAsync($"/api/eshops/{eshop}/notifications");
        SigningTests.AssertSignedWith(settings["webhookSecret"]!.GetValue<string>(), post);
        var payload = JsonNode.Parse(post.BodyText)!;
        Assert.Equal("webhook.failing", payload["type"]!.GetValue<string>());
        Assert.Equal(webhook, payload["data"]!["webhook"]!["id"]!.GetValue<Guid>());
        Assert.Equal(FailureKinds.CredentialsRefused, payload["data"]!["failureKind"]!.GetValue<string>());
        Assert.Equal(3, payload["data"]!["consecutiveFailures"]!.GetValue<int>());
        // The e-mail tells the same time in Prague's, named, as the shop chose no other zone.
        var prague = TimeZoneInfo.ConvertTime(payload["data"]!["failingSince"]!.GetValue<DateTimeOffset>(),
            TimeZoneInfo.FindSystemTimeZoneById("Europe/Prague"));
        Assert.Contains($"od {prague.Day}. {prague.Month}. {prague.Year} {prague.Hour}:{prague.Minute:00} (Europe/Prague) nedoručuje", failing.TextBody);

        // More failures of the same run say nothing more. Then the receiver is fixed: the owner hears that once.
        for (var i = 4; i <= 5; i++) await app.ChangeCreditAsync(eshop, customer, i);
        await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 5);
        app.Receiver.Answer(endpoint, 200);
        await app.ChangeCreditAsync(eshop, customer, 6);
        await app.ChangeCreditAsync(eshop, customer, 7);
        var mails = await app.Mail.WaitForAsync(Owner(eshop), 2);
        Assert.Equal("Webhook „Konto do ERP“ opět funguje", mails[1].Subject);
        Assert.Contains("Znovu poslat vše, co selhalo od začátku problému", mails[1].TextBody);
        var posts = await app.Receiver.WaitForRequestsAsync(operations, 2);
        Assert.Equal("webhook.recovered", JsonNode.Parse(posts[1].BodyText)!["type"]!.GetValue<string>());
        Assert.NotEqual(post.Headers["webhook-id"], posts[1].Headers["webhook-id"]);

        await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 7);
        var history = await AlertsInHistoryAsync(eshop, webhook);
        Assert.Equal(["failing", "recovered"], history.Select(h => h!["data"]!["alert"]!.GetValue<string>()));
        Assert.All(history, h => Assert.Equal("system", h!["actor"]!.GetValue<string>()));
        Assert.Equal(["email", "webhook"], history[0]!["data"]!["channels"]!.AsArray().Select(c => c!.GetValue<string>()));
        await Task.Delay(1000);
        Assert.Equal(2, app.Mail.To(Owner(eshop)).Count);
        Assert.Equal(2, app.Receiver.RequestsTo(operations).Count);
    }

    [Fact]
    public async Task a_webhook_that_fails_again_soon_after_it_recovered_is_not_reported_failing_twice_in_a_day()
    {
        var (eshop, webhook, customer, endpoint, _) = await FailingWebhookAsync();
        for (var round = 0; round < 3; round++)
        {
            app.Receiver.Answer(endpoint, 401);
            for (var i = 0; i < 3; i++) await app.ChangeCreditAsync(eshop, customer, 1);
            await app.WaitForFinishedDeliveriesAsync(eshop, webhook, round * 4 + 3);
            if (round == 0) await app.Mail.WaitForAsync(Owner(eshop), 1);
            app.Receiver.Answer(endpoint, 200);
            await app.ChangeCreditAsync(eshop, customer, 1);
            await app.WaitForFinishedDeliveriesAsync(eshop, webhook, round * 4 + 4);
            if (round == 0) await app.Mail.WaitForAsync(Owner(eshop), 2);
        }
        await app.WaitForAsync($"/api/eshops/{eshop}/webhooks/{webhook}", w => !w.AsWebhook().Health.Failing, "the webhook to work");
        await Task.Delay(1000);

        Assert.Equal(["Webhook „Konto do ERP“ nefunguje", "Webhook „Konto do ERP“ opět funguje"],
            app.Mail.To(Owner(eshop)).Select(m => m.Subject));
        Assert.Equal(2, (await AlertsInHistoryAsync(eshop, webhook)).Count);
    }

    [Fact]
    public async Task a_webhook_that_failed_once_and_has_no_attempt_left_is_reported_failing_once_the_shops_minute_has_passed()
    {
        var eshop = await app.NewEshopAsync();
        var operations = app.Receiver.NewEndpoint();
        await app.PutAsync($"/api/eshops/{eshop}/notifications", new
        {
            language = "en", emails = new[] { Owner(eshop) }, webhookUrl = operations, failingAfterAttempts = 5, failingAfterMinutes = 1,
        });
        var endpoint = app.Receiver.NewEndpoint(503);
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", endpoint, null, name: "ERP", retrySchedule: []);
        await app.ChangeCreditAsync(eshop, await app.RegisterCustomerAsync(eshop), 1);
        var failed = Assert.Single(await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 1))!.AsDelivery();

        // One failure of five, no retry, no other change: only the clock can tell the owner, once the minute has passed.
        var mail = Assert.Single(await app.Mail.WaitForAsync(Owner(eshop), 1, TimeSpan.FromSeconds(120)));
        Assert.Equal("Webhook \"ERP\" is failing", mail.Subject);
        Assert.Contains("(failed attempts in a row: 1)", mail.TextBody);
        var post = Assert.Single(await app.Receiver.WaitForRequestsAsync(operations, 1));
        Assert.True(post.At - failed.Attempts[0].StartedAt >= TimeSpan.FromMinutes(1), $"told at {post.At:O}, failed at {failed.Attempts[0].StartedAt:O}");
        await Task.Delay(3000);
        Assert.Single(app.Mail.To(Owner(eshop)));
        Assert.Single(app.Receiver.RequestsTo(endpoint));
        Assert.Equal(["failing"], (await AlertsInHistoryAsync(eshop, webhook)).Select(h => h!["data"]!["alert"]!.GetValue<string>()));
        Assert.True((await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}")).AsWebhook().Enabled);
    }

    [Fact]
    public async Task the_operational_webhooks_secret_is_rotated_with_the_old_one_signing_beside_the_new_for_a_day()
    {
        var (eshop, _, customer, _, operations) = await FailingWebhookAsync();
        var old = (await app.GetAsync($"/api/eshops/{eshop}/notifications"))["webhookSecret"]!.GetValue<string>();

        var rotated = await app.PostAsync($"/api/eshops/{eshop}/notifications/secret/rotate", null);
        var secret = rotated["secret"]!.GetValue<string>();
        Assert.StartsWith("whsec_", secret);
        Assert.NotEqual(old, secret);
        Assert.InRange(rotated["previousSecretExpiresAt"]!.GetValue<DateTimeOffset>(),
            DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25));
        // Saving the settings again keeps both.
        var settings = await app.PutAsync($"/api/eshops/{eshop}/notifications", new
        {
            language = "cs", emails = new[] { Owner(eshop) }, webhookUrl = operations, failingAfterAttempts = 3,
        });
        Assert.Equal(secret, settings["webhookSecret"]!.GetValue<string>());
        Assert.Equal(rotated["previousSecretExpiresAt"]!.GetValue<DateTimeOffset>(), settings["previousWebhookSecretExpiresAt"]!.GetValue<DateTimeOffset>());

        for (var i = 1; i <= 3; i++) await app.ChangeCreditAsync(eshop, customer, i);
        var post = Assert.Single(await app.Receiver.WaitForRequestsAsync(operations, 1));
        SigningTests.AssertSignedWith(secret, post);
        SigningTests.AssertSignedWith(old, post);
        Assert.Equal(2, post.Headers["webhook-signature"].Split(' ').Length);

        // Without an operational webhook there is nothing to rotate; another shop's key cannot rotate this one's.
        await app.PostAsync($"/api/eshops/{await app.NewEshopAsync()}/notifications/secret/rotate", null, 409);
        var (_, otherKey) = await app.RegisterEshopAsync();
        Assert.Equal(404, (await app.SendAsync(HttpMethod.Post, $"/api/eshops/{eshop}/notifications/secret/rotate", key: otherKey)).Status);
        Assert.Equal(secret, (await app.GetAsync($"/api/eshops/{eshop}/notifications"))["webhookSecret"]!.GetValue<string>());
    }

    [Fact]
    public async Task a_receiver_answering_410_sends_one_switched_off_email_in_english_and_nothing_about_failing()
    {
        var (eshop, webhook, customer, endpoint, operations) = await FailingWebhookAsync(language: "en");
        var settings = await app.GetAsync($"/api/eshops/{eshop}/notifications");
        Assert.Equal("Europe/Prague", settings["timeZone"]!.GetValue<string>());
        settings = await app.PutAsync($"/api/eshops/{eshop}/notifications", new
        {
            language = "en", emails = new[] { Owner(eshop) }, webhookUrl = operations, failingAfterAttempts = 3, timeZone = "America/New_York",
        });
        Assert.Equal("America/New_York", settings["timeZone"]!.GetValue<string>());
        app.Receiver.Answer(endpoint, 410);
        await app.ChangeCreditAsync(eshop, customer, 1);
        await app.WaitForAsync($"/api/eshops/{eshop}/webhooks/{webhook}", w => !w.AsWebhook().Enabled, "the webhook to be switched off");

        var mail = Assert.Single(await app.Mail.WaitForAsync(Owner(eshop), 1));
        Assert.Equal("Webhook \"Konto do ERP\" was switched off", mail.Subject);
        Assert.Contains("the receiver answered 410 Gone", mail.TextBody);
        Assert.Contains(FailureKinds.Explain(FailureKinds.Gone, "en").Fix, mail.TextBody);
        var disabled = JsonNode.Parse(Assert.Single(await app.Receiver.WaitForRequestsAsync(operations, 1)).BodyText)!;
        Assert.Equal("webhook.disabled", disabled["type"]!.GetValue<string>());
        var newYork = TimeZoneInfo.ConvertTime(disabled["timestamp"]!.GetValue<DateTimeOffset>(), TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        Assert.Contains($"was switched off at {newYork.ToString("d MMM yyyy HH:mm", System.Globalization.CultureInfo.InvariantCulture)} (America/New_York):",
            mail.TextBody);
        await Task.Delay(1000);
        Assert.Single(app.Mail.To(Owner(eshop)));
    }

    [Fact]
    public async Task removing_the_webhooks_feature_tells_the_owner_each_webhook_that_was_sending_is_switched_off()
    {
        var (eshop, webhook, _, _, _) = await FailingWebhookAsync(new { emails = new[] { "owner-removed@example.cz" } });
        var off = await app.CreateWebhookAsync(eshop, "customer.credit.changed", app.Receiver.NewEndpoint(), null, enabled: false, name: "Vypnutý");

        await app.SendAsync(HttpMethod.Delete, $"/api/eshops/{eshop}/features/webhooks");

        var mail = Assert.Single(await app.Mail.WaitForAsync("owner-removed@example.cz", 1));
        Assert.Equal("Webhook „Konto do ERP“ byl vypnut", mail.Subject);
        Assert.Contains("e-shop odebral funkci Webhooky", mail.TextBody);
        Assert.Single(await AlertsInHistoryAsync(eshop, webhook));
        Assert.Empty(await AlertsInHistoryAsync(eshop, off));
    }

    [Fact]
    public async Task removing_the_feature_with_several_webhooks_sending_tells_the_owner_in_one_email_and_each_on_the_operational_webhook()
    {
        var (eshop, first, _, _, operations) = await FailingWebhookAsync();
        var others = new[] { "Mailing", "Věrnostní program" };
        var ids = new List<Guid> { first };
        foreach (var name in others) ids.Add(await app.CreateWebhookAsync(eshop, "customer.credit.changed", app.Receiver.NewEndpoint(), null, name: name));
        var off = await app.CreateWebhookAsync(eshop, "customer.credit.changed", app.Receiver.NewEndpoint(), null, enabled: false, name: "Vypnutý");

        await app.SendAsync(HttpMethod.Delete, $"/api/eshops/{eshop}/features/webhooks");

        var mail = Assert.Single(await app.Mail.WaitForAsync(Owner(eshop), 1));
        Assert.Equal("Webhooky e-shopu byly vypnuty (3)", mail.Subject);
        Assert.Contains("E-shop odebral funkci Webhooky, proto byly", mail.TextBody);
        Assert.Equal(["Konto do ERP", "Mailing", "Věrnostní program"],
            mail.TextBody!.Split('\n').Where(l => l.StartsWith("Konto") || l.StartsWith("Mailing") || l.StartsWith("Věrnostní")).Select(l => l.Split(':')[0]));
        Assert.DoesNotContain("Vypnutý", mail.TextBody);
        Assert.DoesNotContain("erp-secret", mail.TextBody + mail.HtmlBody);
        var posts = await app.Receiver.WaitForRequestsAsync(operations, 3);
        Assert.Equal(ids.Order(), posts.Select(p => JsonNode.Parse(p.BodyText)!["data"]!["webhook"]!["id"]!.GetValue<Guid>()).Order());
        Assert.All(posts, p => Assert.Equal("webhook.disabled", JsonNode.Parse(p.BodyText)!["type"]!.GetValue<string>()));
        foreach (var id in ids) Assert.Single(await AlertsInHistoryAsync(eshop, id));
        Assert.Empty(await AlertsInHistoryAsync(eshop, off));
        await Task.Delay(1500);
        Assert.Single(app.Mail.To(Owner(eshop)));
        Assert.Equal(3, app.Receiver.RequestsTo(operations).Count);
    }

    [Fact]
    public async Task alerts_only_the_owner_asked_for_go_out_and_an_eshop_without_settings_gets_them_in_the_log_and_history_only()
    {
        var (eshop, webhook, customer, _, operations) = await FailingWebhookAsync(new
        {
            emails = new[] { "owner-picky@example.cz" }, emailAlerts = new[] { Alerts.Disabled }, failingAfterAttempts = 1,
            webhookUrl = app.Receiver.NewEndpoint(), webhookAlerts = Array.Empty<string>(),
        });
        await app.ChangeCreditAsync(eshop, customer, 1);
        await app.WaitForAsync($"/api/eshops/{eshop}/webhooks/{webhook}/history",
            h => h.AsArray().Any(c => c!["change"]!.GetValue<string>() == "alert-sent"), "the failing alert to be recorded");
        await Task.Delay(1000);
        Assert.Empty(app.Mail.To("owner-picky@example.cz"));
        Assert.Empty(app.Receiver.RequestsTo(operations));

        var quiet = await app.NewEshopAsync();
        var silent = await app.CreateWebhookAsync(quiet, "customer.credit.changed", app.Receiver.NewEndpoint(500), null, retrySchedule: []);
        var someone = await app.RegisterCustomerAsync(quiet);
        for (var i = 0; i < 5; i++) await app.ChangeCreditAsync(quiet, someone, 1);
        await app.WaitForAsync($"/api/eshops/{quiet}/webhooks/{silent}/history",
            h => h.AsArray().Any(c => c!["change"]!.GetValue<string>() == "alert-sent"), "the failing alert to be recorded");
        var alert = Assert.Single(await AlertsInHistoryAsync(quiet, silent));
        Assert.Empty(alert!["data"]!["channels"]!.AsArray());
        // Logged when it is sent, a moment after it is recorded.
        for (var i = 0; i < 100 && !app.Logs.Lines.Any(line => line.Contains($"Alert failing for webhook {silent}")); i++) await Task.Delay(100);
        Assert.Contains(app.Logs.Lines, line => line.Contains($"Alert failing for webhook {silent}"));
    }
    [Fact]
    public async Task an_operational_secret_the_key_ring_cannot_decrypt_reads_as_none_and_the_next_save_makes_a_new_one()
    {
        var eshop = await app.NewEshopAsync();
        var operations = app.Receiver.NewEndpoint();
        // Protected with a key this Host's key ring never had, as after the ring was lost.
        var unreadable = new EphemeralDataProtectionProvider()
            .CreateProtector("Ellity.Webhooks.SigningSecrets").Protect(WebhookSecrets.New());
        await using (var session = app.Store.LightweightSession())
        {
            session.Events.StartStream<AlertSettings>(AlertSettings.IdFor(eshop), new AlertSettingsChanged(eshop, "cs", [], Alerts.All,
                operations, Alerts.All, unreadable, 1, 60, DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }

        var read = await app.GetAsync($"/api/eshops/{eshop}/notifications");
        var saved = await app.PutAsync($"/api/eshops/{eshop}/notifications", new { webhookUrl = operations, failingAfterAttempts = 1 });

        Assert.Null(read["webhookSecret"]);
        Assert.Equal(operations, read["webhookUrl"]!.GetValue<string>());
        var secret = saved["webhookSecret"]!.GetValue<string>();
        Assert.StartsWith(WebhookSecrets.Prefix, secret);
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", app.Receiver.NewEndpoint(500), null, retrySchedule: []);
        await app.ChangeCreditAsync(eshop, await app.RegisterCustomerAsync(eshop), 1);
        SigningTests.AssertSignedWith(secret, Assert.Single(await app.Receiver.WaitForRequestsAsync(operations, 1)));
        Assert.Single(await AlertsInHistoryAsync(eshop, webhook));
    }
}

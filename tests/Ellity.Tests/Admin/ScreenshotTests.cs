using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using Ellity.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ellity.Tests.Admin;

/// <summary>
/// The five main screens of the admin page with realistic content, at a desktop size. With
/// ELLITY_SCREENSHOTS_DIR set (scripts/screenshots.sh sets it to docs/) each screen is saved as a
/// PNG for the README; without it the same walk runs and checks what each screen shows.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ScreenshotTests(BrowserFixture browser)
{
    private static readonly string? Directory = Environment.GetEnvironmentVariable("ELLITY_SCREENSHOTS_DIR") is { Length: > 0 } dir
        ? Path.Combine(TestPostgres.RepositoryRoot(), dir)
        : null;

    private static async Task SaveAsync(IPage page, string name)
    {
        if (Directory is null) return;
        System.IO.Directory.CreateDirectory(Directory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Directory, name), FullPage = true });
    }

    [Fact]
    public async Task Screenshots_of_sign_in_list_editor_with_preview_and_delivery_log()
    {
        var eshop = await browser.RegisterEshopAsync();
        var working = browser.Receiver.NewEndpoint();
        var failing = browser.Receiver.NewEndpoint(status: 503);
        var erp = await CreateWebhookAsync(eshop, new
        {
            name = "Konto do ERP", trigger = "customer.credit.changed", url = working + "/ellity",
            body = "{\n  \"eshop\": \"#account.eshopId#\",\n  \"email\": \"#customer.email#\",\n  \"credit\": #customer.credit#,\n  \"change\": #creditChange.value#,\n  \"reason\": \"#creditChange.reason#\"\n}",
            headers = new Dictionary<string, string> { ["Authorization"] = "Bearer erp-token" },
        });
        var newsletter = await CreateWebhookAsync(eshop, new
        {
            name = "Newsletter – VIP úroveň", trigger = "customer.tier.changed",
            url = failing + "/subscribers?email=#customer.email#&tier=#customer.tier.name#", retrySchedule = Array.Empty<int>(),
        });
        await CreateWebhookAsync(eshop, new
        {
            name = "Noví zákazníci do CRM", trigger = "customer.registered", url = "https://crm.example.cz/api/contacts", enabled = false,
            body = "{ \"email\": \"#customer.email#\", \"group\": \"#customer.group.name#\" }",
        });
        var customer = (await browser.ApiAsync(HttpMethod.Post, $"/api/eshops/{eshop.Id}/customers",
            new { email = "jana.novakova@example.cz", credit = 1200, tier = new { id = "silver", name = "Stříbrná" } }, eshop.ApiKey))["id"];
        await browser.ApiAsync(HttpMethod.Post, $"/api/eshops/{eshop.Id}/customers/{customer}/credit",
            new { value = 150, reason = "Objednávka 2026-0142" }, eshop.ApiKey);
        await browser.ApiAsync(HttpMethod.Post, $"/api/eshops/{eshop.Id}/customers/{customer}/credit",
            new { value = -49.5, reason = "Sleva na dopravu" }, eshop.ApiKey);
        await browser.ApiAsync(HttpMethod.Put, $"/api/eshops/{eshop.Id}/customers/{customer}/tier", new { id = "gold", name = "Zlatá" }, eshop.ApiKey);
        // The list shows health, which an asynchronous projection keeps: wait until it has caught up.
        await WaitForHealthAsync(eshop, erp, h => h["lastSuccessAt"] is not null && h["consecutiveFailures"]!.GetValue<int>() == 0);
        await WaitForHealthAsync(eshop, newsletter, h => h["failing"]!.GetValue<bool>());

        await using var session = await browser.OpenAsync(width: 1280, height: 860);
        var page = session.Page;
        await page.GotoAsync("/admin");
        await page.GetByLabel("ID e-shopu").FillAsync(eshop.Id);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Přihlásit se" })).ToBeVisibleAsync();
        await SaveAsync(page, "admin-signin.png");

        await page.GetByLabel("API klíč").FillAsync(eshop.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Přihlásit se" }).ClickAsync();
        var cards = page.GetByRole(AriaRole.Article);
        await Expect(cards.Filter(new() { HasText = "Konto do ERP" })).ToContainTextAsync("Funguje – naposledy doručeno");
        await Expect(cards.Filter(new() { HasText = "Newsletter" })).ToContainTextAsync("Nefunguje od");
        await Expect(cards.Filter(new() { HasText = "Newsletter" })).ToContainTextAsync("Co s tím:");
        await Expect(cards.Filter(new() { HasText = "CRM" })).ToContainTextAsync("Zatím nic neodesláno.");
        await page.Mouse.MoveAsync(0, 0);
        await SaveAsync(page, "admin-webhooks.png");

        await page.GetByRole(AriaRole.Link, new() { Name = "Konto do ERP", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Náhled požadavku" }))
            .ToContainTextAsync("\"email\": \"jana.novakova@example.cz\"");
        await page.GetByRole(AriaRole.Button, new() { Name = "Odeslat test" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Vyzkoušet" })).ToContainTextAsync("Doručeno: HTTP 200");
        await page.GetByLabel("Vložit proměnnou").SelectOptionAsync("creditChange.value");
        await page.EvaluateAsync("() => document.activeElement.blur()");
        await SaveAsync(page, "admin-edit.png");

        await page.GetByRole(AriaRole.Link, new() { Name = "Historie odeslání" }).ClickAsync();
        var deliveries = page.GetByRole(AriaRole.List, new() { Name = "Historie odeslání: Konto do ERP" }).Locator("xpath=./li");
        await Expect(deliveries).ToHaveCountAsync(3);
        await Expect(deliveries.First.GetByText("test", new() { Exact = true })).ToBeVisibleAsync();
        var spent = deliveries.Filter(new() { HasText = "Sleva na dopravu" });
        await spent.GetByText("HTTP 200").ClickAsync();
        await Expect(spent.GetByText("Pokus 1")).ToBeVisibleAsync();
        await Expect(spent).ToContainTextAsync("\"change\": -49.5");
        await SaveAsync(page, "admin-deliveries.png");

        await browser.ApiAsync(HttpMethod.Put, $"/api/eshops/{eshop.Id}/notifications",
            new { emails = new[] { "majitel@example.cz" }, webhookUrl = "https://provoz.example.cz/ellity-upozorneni" }, eshop.ApiKey);
        await page.GotoAsync("/admin#/notifications");
        await Expect(page.GetByLabel("E-mailové adresy")).ToHaveValueAsync("majitel@example.cz");
        await SaveAsync(page, "admin-notifications.png");

        // A resync under way: a new ERP gets every customer's state, two a second, as its rate limit says.
        for (var i = 1; i <= 39; i++)
            await browser.ApiAsync(HttpMethod.Post, $"/api/eshops/{eshop.Id}/customers", new { email = $"zakaznik{i}@example.cz", credit = i * 10 }, eshop.ApiKey);
        var newErp = await CreateWebhookAsync(eshop, new
        {
            name = "Zákazníci do nového ERP", trigger = "customer.credit.changed", url = working + "/nove-erp",
            body = "{ \"email\": \"#customer.email#\", \"credit\": #customer.credit#, \"tier\": \"#customer.tier.name#\" }",
            rateLimit = new { requests = 2, per = "second" },
        });
        await page.GotoAsync($"/admin#/webhooks/{newErp}/deliveries");
        var resync = page.GetByRole(AriaRole.Region, new() { Name = "Poslat aktuální stav zákazníků" });
        await resync.GetByRole(AriaRole.Button, new() { Name = "Poslat stav všech zákazníků", Exact = true }).ClickAsync();
        await resync.GetByRole(AriaRole.Button, new() { Name = "Ano, poslat", Exact = true }).ClickAsync();
        await Expect(resync.GetByRole(AriaRole.Status)).ToHaveTextAsync(new Regex(@"^Zpracováno (10|20) z 40 zákazníků"));
        await Expect(page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "resync" })).Not.ToHaveCountAsync(0);
        await page.Mouse.MoveAsync(0, 0);
        await SaveAsync(page, "admin-resync.png");
        await resync.GetByRole(AriaRole.Button, new() { Name = "Zastavit", Exact = true }).ClickAsync();
        session.AssertNoScriptErrors();
    }

    private async Task<Guid> CreateWebhookAsync(Eshop eshop, object webhook) =>
        (await browser.ApiAsync(HttpMethod.Post, $"/api/eshops/{eshop.Id}/webhooks", webhook, eshop.ApiKey))["id"]!.GetValue<Guid>();

    private async Task WaitForHealthAsync(Eshop eshop, Guid webhook, Func<JsonNode, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var health = (await browser.ApiAsync(HttpMethod.Get, $"/api/eshops/{eshop.Id}/webhooks/{webhook}", null, eshop.ApiKey))["health"]!;
            if (done(health)) return;
            Assert.True(DateTime.UtcNow < deadline, $"Health of {webhook} did not settle: {health.ToJsonString()}");
            await Task.Delay(200);
        }
    }
}

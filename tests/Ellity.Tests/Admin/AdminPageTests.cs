using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ellity.Tests.Admin;

/// <summary>
/// The admin page in a real browser, as a shop owner uses it: labels (Czech by default) are how
/// every control is found, so these tests also prove that each control has a visible label.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminPageTests(BrowserFixture browser)
{
    private static PageGetByRoleOptions Named(string name) => new() { Name = name, Exact = true };

    [Fact]
    public async Task an_owner_creates_a_post_webhook_with_insert_variable_sees_the_preview_watches_it_deliver_and_redelivers()
    {
        var eshop = await browser.RegisterEshopAsync();
        var endpoint = browser.Receiver.NewEndpoint();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await session.SignInAsync(eshop);

        await page.GetByRole(AriaRole.Link, Named("Přidat webhook")).First.ClickAsync();
        await page.GetByText("Opakování při neúspěchu").ClickAsync();
        await Expect(page.GetByText(new Regex("^Výchozí: "))).ToHaveTextAsync(
            "Výchozí: hned, 30 s, 2 h (pokusů: 3, celkem zhruba 2 h). Většinou není co měnit.");
        await page.GetByLabel("Název", new() { Exact = true }).FillAsync("Konto do ERP");
        await page.GetByLabel("Spouštěč").SelectOptionAsync("customer.credit.changed");
        await page.GetByLabel("URL adresa", new() { Exact = true }).FillAsync(endpoint);
        var body = page.GetByLabel("Tělo zprávy (JSON)");
        var variable = page.GetByLabel("Vložit proměnnou");
        await body.FillAsync("{\"email\": \"");
        await variable.SelectOptionAsync("customer.email");
        await Expect(variable).ToHaveAccessibleDescriptionAsync(new Regex("E-mail zákazníka. Ukázka: jana.novakova@example.cz"));
        await page.GetByRole(AriaRole.Button, Named("Vložit")).ClickAsync();
        await page.Keyboard.TypeAsync("\", \"credit\": ");
        await variable.SelectOptionAsync("customer.credit");
        await page.GetByRole(AriaRole.Button, Named("Vložit")).ClickAsync();
        await page.Keyboard.TypeAsync("}");
        await page.GetByRole(AriaRole.Button, Named("Přidat hlavičku")).ClickAsync();
        await page.GetByLabel("Název hlavičky").FillAsync("Authorization");
        await page.GetByLabel("Hodnota").FillAsync("Bearer erp-token");

        await Expect(body).ToHaveValueAsync("{\"email\": \"#customer.email#\", \"credit\": #customer.credit#}");
        var preview = page.GetByRole(AriaRole.Region, new() { Name = "Náhled požadavku" });
        await Expect(preview).ToContainTextAsync($"POST {endpoint}");
        await Expect(preview).ToContainTextAsync("Authorization: ••••••");
        await Expect(preview).Not.ToContainTextAsync("erp-token");
        await Expect(preview).ToContainTextAsync("{\"email\": \"jana.novakova@example.cz\", \"credit\": 1250.5}");

        await page.GetByRole(AriaRole.Button, Named("Uložit")).ClickAsync();
        await Expect(page.GetByText("Webhook je uložený.")).ToBeVisibleAsync();

        var customer = await browser.ApiAsync(HttpMethod.Post, $"/api/eshops/{eshop.Id}/customers",
            new { email = "jana@example.cz", credit = 100 }, eshop.ApiKey);
        await browser.ApiAsync(HttpMethod.Post, $"/api/eshops/{eshop.Id}/customers/{customer["id"]}/credit",
            new { value = -20.5, reason = "order 123" }, eshop.ApiKey);

        await page.GetByRole(AriaRole.Link, Named("Historie odeslání")).ClickAsync();
        var delivery = page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "HTTP 200" });
        await Expect(delivery).ToContainTextAsync("Doručeno");
        await delivery.GetByText("HTTP 200").ClickAsync();
        await Expect(delivery.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Pokus 1" })).ToContainTextAsync("200");
        await Expect(delivery).ToContainTextAsync("{\"email\": \"jana@example.cz\", \"credit\": 79.5}");

        await delivery.GetByRole(AriaRole.Button, new() { Name = "Odeslat znovu" }).ClickAsync();

        var second = delivery.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Pokus 2" });
        await Expect(second).ToContainTextAsync("ručně");
        await Expect(second).ToContainTextAsync("200");
        var received = await browser.Receiver.WaitForRequestsAsync(endpoint, 2);
        Assert.All(received, r => Assert.Equal("Bearer erp-token", r.Headers["Authorization"]));

        await page.GetByLabel("Stav", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Nedoručeno" });
        await Expect(page.GetByText("Žádná zpráva v tomto stavu.")).ToBeVisibleAsync();
        await Expect(delivery).ToBeHiddenAsync();
        await page.GetByLabel("Stav", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Doručeno" });
        await Expect(delivery).ToBeVisibleAsync();
        session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task invalid_json_shows_the_error_with_its_position_next_to_the_body_and_is_not_saved()
    {
        var eshop = await browser.RegisterEshopAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await session.SignInAsync(eshop);

        await page.GetByRole(AriaRole.Link, Named("Přidat webhook")).First.ClickAsync();
        await page.GetByLabel("Název", new() { Exact = true }).FillAsync("Broken");
        await page.GetByLabel("URL adresa", new() { Exact = true }).FillAsync("https://erp.example.cz/hook");
        var body = page.GetByLabel("Tělo zprávy (JSON)");
        await body.FillAsync("{\n  \"email\": \"#customer.email#\"\n  \"credit\": #customer.credit#\n}");

        await Expect(body).ToHaveAccessibleDescriptionAsync(new Regex("chyba na řádku 3, sloupci 3"));
        await page.GetByRole(AriaRole.Button, Named("Uložit")).ClickAsync();

        await Expect(page.GetByText("Neuloženo: opravte prosím označená pole.")).ToBeVisibleAsync();
        await Expect(body).ToBeFocusedAsync();
        await Expect(body).ToHaveAttributeAsync("aria-invalid", "");
        await page.GetByRole(AriaRole.Link, Named("Zrušit")).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Zatím tu není žádný webhook" })).ToBeVisibleAsync();
        Assert.Empty((await browser.ApiAsync(HttpMethod.Get, $"/api/eshops/{eshop.Id}/webhooks", null, eshop.ApiKey)).AsArray());
        session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task an_eshop_without_the_webhooks_feature_adds_it_on_the_page_and_removing_it_returns_to_that_step()
    {
        var eshop = await browser.RegisterEshopAsync(withWebhooks: false);
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await session.SignInAsync(eshop);

        var step = page.GetByRole(AriaRole.Region, new() { Name = "Přidejte funkci Webhooky" });
        await Expect(step).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, Named("Přidat webhook"))).ToHaveCountAsync(0);
        // Every screen is the step until the feature is added, whatever the address says.
        await page.GotoAsync("/admin#/new");
        await Expect(step).ToBeVisibleAsync();
        await step.GetByRole(AriaRole.Button, new() { Name = "Přidat funkci Webhooky", Exact = true }).ClickAsync();
        await Expect(page.GetByText("Funkce Webhooky je přidaná.")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Nový webhook" })).ToBeVisibleAsync();
        Assert.Equal(["webhooks"], (await browser.ApiAsync(HttpMethod.Get, $"/api/eshops/{eshop.Id}", null, eshop.ApiKey))["features"]!
            .AsArray().Select(f => f!.GetValue<string>()));

        await page.GotoAsync("/admin#/");
        await page.GetByText("Odebrat funkci Webhooky").ClickAsync();
        await page.GetByRole(AriaRole.Button, Named("Odebrat funkci a zastavit odesílání")).ClickAsync();
        await Expect(page.GetByText("Funkce Webhooky je odebraná; nic se neodesílá.")).ToBeVisibleAsync();
        await Expect(step).ToBeVisibleAsync();
        Assert.Empty((await browser.ApiAsync(HttpMethod.Get, $"/api/eshops/{eshop.Id}", null, eshop.ApiKey))["features"]!.AsArray());

        await page.GetByRole(AriaRole.Button, Named("English")).ClickAsync();
        var english = page.GetByRole(AriaRole.Region, new() { Name = "Add the Webhooks feature" });
        await Expect(english).ToContainTextAsync("add-on of your Ellity plan");
        await english.GetByRole(AriaRole.Button, new() { Name = "Add the Webhooks feature", Exact = true }).PressAsync("Enter");
        await Expect(page.GetByText("The Webhooks feature is added.")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No webhooks yet" })).ToBeVisibleAsync();
        session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task the_page_is_czech_by_default_and_the_english_switch_changes_every_label_and_is_remembered()
    {
        var eshop = await browser.RegisterEshopAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await page.GotoAsync("/admin");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Přihlášení k webhookům" })).ToBeVisibleAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "cs");

        await page.GetByRole(AriaRole.Button, Named("English")).ClickAsync();

        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to webhooks" })).ToBeVisibleAsync();
        await page.GetByLabel("E-shop id").FillAsync(eshop.Id);
        await page.GetByLabel("API key").FillAsync(eshop.ApiKey);
        await page.GetByRole(AriaRole.Button, Named("Sign in")).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Webhooks", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "You are here" })).ToContainTextAsync("Settings");
        await page.GetByRole(AriaRole.Link, Named("Add webhook")).First.ClickAsync();
        await Expect(page.GetByLabel("Insert variable")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Trigger")).ToContainTextAsync("Customer credit changed");

        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New webhook" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, Named("Čeština")).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Nový webhook" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Spouštěč")).ToContainTextAsync("Změna konta zákazníka");
        session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task the_switch_turns_sending_on_send_test_shows_the_outcome_in_place_and_the_secret_can_be_revealed_and_rotated()
    {
        var eshop = await browser.RegisterEshopAsync();
        var endpoint = browser.Receiver.NewEndpoint();
        var created = await browser.ApiAsync(HttpMethod.Post, $"/api/eshops/{eshop.Id}/webhooks", new
        {
            name = "Zkouška", trigger = "customer.tier.changed", url = endpoint + "?tier=#customer.tier.name#", enabled = false,
        }, eshop.ApiKey);
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await session.SignInAsync(eshop);
        var sending = page.GetByRole(AriaRole.Switch, new() { Name = "Odesílat zprávy" });
        await Expect(sending).Not.ToBeCheckedAsync();
        await sending.CheckAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Webhook „Zkouška“ je zapnutý." })).ToBeVisibleAsync();
        Assert.True((await browser.ApiAsync(HttpMethod.Get, $"/api/eshops/{eshop.Id}/webhooks/{created["id"]}", null, eshop.ApiKey))["enabled"]!.GetValue<bool>());
        await page.GetByRole(AriaRole.Link, Named("Zkouška")).ClickAsync();

        await page.GetByRole(AriaRole.Button, Named("Odeslat test")).ClickAsync();

        var test = page.GetByRole(AriaRole.Region, new() { Name = "Vyzkoušet" });
        await Expect(test).ToContainTextAsync("Doručeno: HTTP 200");
        await Expect(test).ToContainTextAsync("answered 200");
        Assert.EndsWith("?tier=Zlat%C3%A1", Assert.Single(browser.Receiver.RequestsTo(endpoint)).PathAndQuery);

        var secret = page.GetByRole(AriaRole.Region, new() { Name = "Podpis zpráv" });
        await secret.GetByRole(AriaRole.Button, new() { Name = "Zobrazit klíč" }).ClickAsync();
        await Expect(secret.Locator("code")).ToHaveTextAsync(created["secret"]!.GetValue<string>());
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await secret.GetByRole(AriaRole.Button, new() { Name = "Vyměnit klíč" }).ClickAsync();
        await Expect(secret).ToContainTextAsync("Nový klíč platí hned.");
        var current = await browser.ApiAsync(HttpMethod.Get, $"/api/eshops/{eshop.Id}/webhooks/{created["id"]}/secret", null, eshop.ApiKey);
        await Expect(secret.Locator("code")).ToHaveTextAsync(current["secret"]!.GetValue<string>());
        Assert.NotEqual(created["secret"]!.GetValue<string>(), current["secret"]!.GetValue<string>());
        session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task a_wrong_key_is_refused_on_sign_in_and_a_rotated_key_returns_the_owner_to_sign_in()
    {
        var eshop = await browser.RegisterEshopAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;

        await page.GotoAsync("/admin");
        await page.GetByLabel("ID e-shopu").FillAsync(eshop.Id);
        await page.GetByLabel("API klíč").FillAsync("ek_wrong");
        await page.GetByRole(AriaRole.Button, Named("Přihlásit se")).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Tento API klíč neplatí.");

        await session.SignInAsync(eshop);
        await browser.ApiAsync(HttpMethod.Post, $"/api/eshops/{eshop.Id}/api-keys/rotate", null, eshop.ApiKey);
        await page.GetByRole(AriaRole.Link, Named("Přidat webhook")).First.ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Přihlášení skončilo");
        await Expect(page.GetByLabel("API klíč")).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('ellity.admin.apiKey')"));
        session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task at_360_px_wide_no_screen_scrolls_sideways()
    {
        var eshop = await browser.RegisterEshopAsync();
        var endpoint = browser.Receiver.NewEndpoint();
        var webhook = await browser.ApiAsync(HttpMethod.Post, $"/api/eshops/{eshop.Id}/webhooks", new
        {
            name = "Velmi dlouhý název webhooku, který se musí zalomit i na úzkém telefonu",
            trigger = "customer.credit.changed",
            url = endpoint + "/a/very/long/path/that/does/not/fit?id=#customer.id#&email=#customer.email#&credit=#customer.credit#",
            body = "{\"eshop\": \"#account.eshopId#\", \"email\": \"#customer.email#\", \"credit\": #customer.credit#, \"reason\": \"#creditChange.reason#\"}",
            headers = new Dictionary<string, string> { ["X-Api-Key"] = "secret-value" },
        }, eshop.ApiKey);
        await browser.ApiAsync(HttpMethod.Post, $"/api/eshops/{eshop.Id}/webhooks/{webhook["id"]}/test", null, eshop.ApiKey);
        await using var session = await browser.OpenAsync(width: 360, height: 740);
        var page = session.Page;

        await page.GotoAsync("/admin");
        await Expect(page.GetByLabel("ID e-shopu")).ToBeVisibleAsync();
        await AssertNoSidewaysScroll(page, "sign-in");
        await session.SignInAsync(eshop);
        await Expect(page.GetByText("Velmi dlouhý název")).ToBeVisibleAsync();
        await AssertNoSidewaysScroll(page, "list");
        await page.GetByRole(AriaRole.Link, Named("Upravit")).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Náhled požadavku" })).ToContainTextAsync("jana.novakova%40example.cz");
        await page.GetByText("Opakování při neúspěchu").ClickAsync();
        await Expect(page.GetByLabel("Vlastní prodlevy mezi pokusy (sekundy)")).ToBeVisibleAsync();
        await AssertNoSidewaysScroll(page, "editor");
        await page.GetByRole(AriaRole.Link, Named("Historie odeslání")).ClickAsync();
        await page.GetByText("HTTP 200").ClickAsync();
        await Expect(page.GetByText("Pokus 1")).ToBeVisibleAsync();
        await AssertNoSidewaysScroll(page, "delivery log");
        await browser.ApiAsync(HttpMethod.Put, $"/api/eshops/{eshop.Id}/notifications",
            new { webhookUrl = endpoint + "/a/very/long/path/for/alerts/that/does/not/fit/on/a/phone" }, eshop.ApiKey);
        await page.GotoAsync("/admin#/notifications");
        await Expect(page.GetByLabel("Po tolika neúspěšných pokusech za sebou")).ToBeVisibleAsync();
        await AssertNoSidewaysScroll(page, "alert settings");
        session.AssertNoScriptErrors();
    }

    private static async Task AssertNoSidewaysScroll(IPage page, string screen)
    {
        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 360, $"The {screen} screen is {width} px wide at a 360 px viewport.");
    }

    [Fact]
    public async Task a_webhook_can_be_created_with_the_keyboard_alone()
    {
        var eshop = await browser.RegisterEshopAsync();
        var endpoint = browser.Receiver.NewEndpoint();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        var keyboard = page.Keyboard;
        await page.GotoAsync("/admin");

        await Expect(page.GetByLabel("ID e-shopu")).ToBeFocusedAsync();
        await keyboard.TypeAsync(eshop.Id);
        await keyboard.PressAsync("Tab");
        await keyboard.TypeAsync(eshop.ApiKey);
        await keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Webhooky", Level = 1 })).ToBeFocusedAsync();
        await TabToAsync(page, "Přidat webhook");
        await keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Nový webhook" })).ToBeFocusedAsync();
        await TabToAsync(page, "Název");
        await keyboard.TypeAsync("Klávesnice");
        await TabToAsync(page, "URL adresa");
        await keyboard.TypeAsync(endpoint);
        await TabToAsync(page, "Tělo zprávy (JSON)");
        await keyboard.TypeAsync("{\"email\": \"");
        await TabToAsync(page, "Vložit proměnnou");
        await keyboard.PressAsync("ArrowDown");
        await TabToAsync(page, "Vložit");
        await keyboard.PressAsync("Enter");
        await Expect(page.GetByLabel("Tělo zprávy (JSON)")).ToBeFocusedAsync();
        await keyboard.TypeAsync("\"}");
        await TabToAsync(page, "Uložit");
        await keyboard.PressAsync("Enter");

        await Expect(page.GetByText("Webhook je uložený.")).ToBeVisibleAsync();
        var saved = Assert.Single((await browser.ApiAsync(HttpMethod.Get, $"/api/eshops/{eshop.Id}/webhooks", null, eshop.ApiKey)).AsArray())!;
        Assert.Equal("Klávesnice", saved["name"]!.GetValue<string>());
        Assert.Equal("{\"email\": \"#customer.email#\"}", saved["body"]!.GetValue<string>());
        Assert.Equal(endpoint, saved["url"]!.GetValue<string>());
        session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task an_owner_builds_a_condition_with_the_keyboard_alone_sees_whether_the_sample_would_be_sent_and_saves_it()
    {
        var eshop = await browser.RegisterEshopAsync();
        var endpoint = browser.Receiver.NewEndpoint();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        var keyboard = page.Keyboard;
        await session.SignInAsync(eshop);
        await page.GetByRole(AriaRole.Link, Named("Přidat webhook")).First.ClickAsync();
        await page.GetByLabel("Název", new() { Exact = true }).FillAsync("Velké dobití do ERP");
        await page.GetByLabel("Spouštěč").SelectOptionAsync("customer.credit.changed");
        await page.GetByLabel("URL adresa", new() { Exact = true }).FillAsync(endpoint);

        await page.GetByLabel("Spouštěč").FocusAsync();
        await TabToAsync(page, "Přidat podmínku");
        await keyboard.PressAsync("Enter");
        var variable = page.GetByLabel("Proměnná", new() { Exact = true });
        await Expect(variable).ToBeFocusedAsync();
        await keyboard.TypeAsync("creditChange.v");
        await Expect(variable).ToHaveValueAsync("creditChange.value");
        await keyboard.PressAsync("Tab");
        var comparison = page.GetByLabel("Porovnání");
        await Expect(comparison).ToBeFocusedAsync();
        await Expect(comparison.Locator("option")).ToHaveTextAsync(["se rovná", "se nerovná", "je menší než", "je nejvýše", "je větší než", "je alespoň"]);
        for (var i = 0; i < 5; i++) await keyboard.PressAsync("ArrowDown");
        await Expect(comparison).ToHaveValueAsync(">=");

        // Saved without a value: the row says what is missing and takes the focus.
        await TabToAsync(page, "Uložit");
        await keyboard.PressAsync("Enter");
        var value = page.GetByLabel("Porovnat s");
        await Expect(value).ToBeFocusedAsync();
        await Expect(value).ToHaveAccessibleDescriptionAsync("Zadejte hodnotu, se kterou se porovnává.");
        await keyboard.TypeAsync("1,5");
        await TabToAsync(page, "Uložit");
        await keyboard.PressAsync("Enter");
        await Expect(value).ToBeFocusedAsync();
        await Expect(value).ToHaveAccessibleDescriptionAsync("Zadejte číslo, například 100 nebo -20.5.");
        await value.SelectTextAsync();
        await keyboard.TypeAsync("100");

        var preview = page.GetByRole(AriaRole.Region, new() { Name = "Náhled požadavku" });
        await Expect(preview).ToContainTextAsync("Ukázková událost by se neposlala: neplatí „creditChange.value je alespoň 100“ (ukázka: -20.5).");
        await TabToAsync(page, "Uložit");
        await keyboard.PressAsync("Enter");
        await Expect(page.GetByText("Webhook je uložený.")).ToBeVisibleAsync();

        var saved = Assert.Single((await browser.ApiAsync(HttpMethod.Get, $"/api/eshops/{eshop.Id}/webhooks", null, eshop.ApiKey)).AsArray())!;
        var condition = Assert.Single(saved["conditions"]!.AsArray())!;
        Assert.Equal(("creditChange.value", ">=", "100"),
            (condition["variable"]!.GetValue<string>(), condition["operator"]!.GetValue<string>(), condition["value"]!.GetValue<string>()));
        // The saved condition comes back into the builder, and reads in English too.
        await page.GetByRole(AriaRole.Button, Named("English")).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Group, new() { Name = "Send only when" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Comparison")).ToHaveValueAsync(">=");
        await Expect(page.GetByLabel("Compared with")).ToHaveValueAsync("100");
        await Expect(preview.Or(page.GetByRole(AriaRole.Region, new() { Name = "Request preview" })))
            .ToContainTextAsync("The sample event would not be sent: \"creditChange.value is at least 100\" does not hold (sample: -20.5).");
        await Expect(page.GetByRole(AriaRole.Button, Named("Remove condition 1"))).ToBeVisibleAsync();
        session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task an_owner_limits_a_webhooks_rate_asks_for_in_order_delivery_and_a_limit_out_of_range_is_refused_next_to_the_field()
    {
        var eshop = await browser.RegisterEshopAsync();
        var webhook = await browser.ApiAsync(HttpMethod.Post, $"/api/eshops/{eshop.Id}/webhooks",
            new { name = "ERP", trigger = "customer.credit.changed", url = browser.Receiver.NewEndpoint(), enabled = true }, eshop.ApiKey);
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await session.SignInAsync(eshop);
        await page.GotoAsync($"/admin#/webhooks/{webhook["id"]}");

        await page.GetByText("Omezení rychlosti").ClickAsync();
        var requests = page.GetByLabel("Nejvýše požadavků");
        await requests.FillAsync("60");
        await page.GetByRole(AriaRole.Button, Named("Uložit")).ClickAsync();
        await Expect(requests).ToBeFocusedAsync();
        await Expect(requests).ToHaveAccessibleDescriptionAsync(new Regex("Zadejte celý počet požadavků, 1 až 50 za sekundu"));

        await page.GetByLabel("za", new() { Exact = true }).SelectOptionAsync("minute");
        await page.GetByText("Pořadí doručení").ClickAsync();
        await page.GetByLabel("Doručovat každému zákazníkovi v pořadí událostí").CheckAsync();
        await page.GetByRole(AriaRole.Button, Named("Uložit")).ClickAsync();
        await Expect(page.GetByText("Změny jsou uložené.")).ToBeVisibleAsync();
        var saved = await browser.ApiAsync(HttpMethod.Get, $"/api/eshops/{eshop.Id}/webhooks/{webhook["id"]}", null, eshop.ApiKey);
        Assert.Equal(60, saved["rateLimit"]!["requests"]!.GetValue<int>());
        Assert.Equal("minute", saved["rateLimit"]!["per"]!.GetValue<string>());
        Assert.Equal("perCustomer", saved["ordering"]!.GetValue<string>());
        // Shown as saved when the webhook is opened again, and cleared by emptying the field.
        await Expect(page.GetByLabel("Nejvýše požadavků")).ToHaveValueAsync("60");
        await page.GetByLabel("Nejvýše požadavků").FillAsync("");
        await page.GetByRole(AriaRole.Button, Named("Uložit")).ClickAsync();
        // The screen is drawn again once saved: the field it shows is then the saved, empty one.
        await Expect(page.GetByText("Změny jsou uložené.")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Nejvýše požadavků")).ToHaveValueAsync("");
        await Expect(page.Locator("details.rate")).Not.ToHaveAttributeAsync("open", "");
        Assert.Null((await browser.ApiAsync(HttpMethod.Get, $"/api/eshops/{eshop.Id}/webhooks/{webhook["id"]}", null, eshop.ApiKey))["rateLimit"]);
        session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task a_failing_webhook_says_why_in_plain_czech_and_resends_what_failed_since_the_problem_began_once_the_owner_confirms_the_count()
    {
        var eshop = await browser.RegisterEshopAsync();
        var endpoint = browser.Receiver.NewEndpoint(401);
        var webhook = await WebhookWithoutRetriesAsync(eshop, "ERP", endpoint, 5, 7);
        await WaitForFailuresAsync(eshop, webhook, 2);
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await session.SignInAsync(eshop);

        var card = page.GetByRole(AriaRole.Article, new() { Name = "ERP" });
        await Expect(card).ToContainTextAsync("Příjemce odmítl přihlašovací údaje (401 nebo 403).");
        await Expect(card).ToContainTextAsync("Co s tím: Zkontrolujte klíč nebo token v adrese nebo v hlavičce webhooku");
        // While there is time to fix it, the card says when it would be switched off, in the browser's own time.
        var disablesAt = (await browser.ApiAsync(HttpMethod.Get, $"/api/eshops/{eshop.Id}/webhooks/{webhook}", null, eshop.ApiKey))["health"]!["disablesAt"]!.GetValue<string>();
        var shown = await page.EvaluateAsync<string>(
            "iso => new Intl.DateTimeFormat('cs-CZ', { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso))", disablesAt);
        await Expect(card).ToContainTextAsync($"Pokud se do {shown} žádnou zprávu nepodaří doručit, webhook se automaticky vypne.");

        await card.GetByRole(AriaRole.Link, new() { Name = "Historie odeslání", Exact = true }).ClickAsync();
        var delivery = page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "HTTP 401" }).First;
        await delivery.GetByText("HTTP 401").ClickAsync();
        await Expect(delivery.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Pokus 1" }))
            .ToContainTextAsync("Co to znamenáPříjemce odmítl přihlašovací údaje (401 nebo 403).");
        await page.GetByRole(AriaRole.Link, Named("Zpět na seznam")).ClickAsync();

        // The owner puts the right key in the receiver, then asks for what failed; nothing is sent before the confirmation.
        browser.Receiver.Answer(endpoint, 200);
        await card.GetByRole(AriaRole.Button, new() { Name = "Znovu poslat vše, co selhalo od začátku problému", Exact = true }).ClickAsync();
        await Expect(card).ToContainTextAsync("se nepodařilo doručit zpráv: 2. Poslat je znovu?");
        Assert.Equal(2, browser.Receiver.RequestsTo(endpoint).Count);
        await card.GetByRole(AriaRole.Button, new() { Name = "Poslat znovu (2)", Exact = true }).ClickAsync();
        await Expect(card.GetByRole(AriaRole.Status)).ToHaveTextAsync("Zprávy se posílají znovu (2). Průběh uvidíte v historii odeslání.");

        await browser.Receiver.WaitForRequestsAsync(endpoint, 4);
        var history = await browser.ApiAsync(HttpMethod.Get, $"/api/eshops/{eshop.Id}/webhooks/{webhook}/history", null, eshop.ApiKey);
        Assert.Contains(history.AsArray(), e => e!["change"]!.GetValue<string>() == "recovery-started");
        session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task in_english_the_list_and_the_log_explain_a_5xx_and_a_resend_can_be_called_off_after_seeing_the_count()
    {
        var eshop = await browser.RegisterEshopAsync();
        var endpoint = browser.Receiver.NewEndpoint(503);
        await WaitForFailuresAsync(eshop, await WebhookWithoutRetriesAsync(eshop, "Mailing", endpoint, 3), 1);
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await session.SignInAsync(eshop);
        await page.GetByRole(AriaRole.Button, Named("English")).ClickAsync();

        var card = page.GetByRole(AriaRole.Article, new() { Name = "Mailing" });
        await Expect(card).ToContainTextAsync("The receiver has a problem of its own (a 5xx error).");
        await Expect(card).ToContainTextAsync("What to do: Usually an outage on its side");
        await Expect(card).ToContainTextAsync(new Regex(@"Unless a delivery succeeds by \d.+, the webhook will be switched off automatically\."));
        await card.GetByRole(AriaRole.Button, new() { Name = "Resend everything that failed since the problem began", Exact = true }).ClickAsync();
        await Expect(card).ToContainTextAsync(": 1. Send them again?");
        await card.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();
        await Expect(card.GetByRole(AriaRole.Button, new() { Name = "Resend everything that failed since the problem began", Exact = true })).ToBeFocusedAsync();

        await card.GetByRole(AriaRole.Link, new() { Name = "Delivery log", Exact = true }).ClickAsync();
        var delivery = page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "HTTP 503" });
        await delivery.GetByText("HTTP 503").ClickAsync();
        await Expect(delivery).ToContainTextAsync("What to do: Usually an outage on its side");
        await Expect(delivery.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Attempt 1" }))
            .ToContainTextAsync("What it meansThe receiver has a problem of its own (a 5xx error).");
        Assert.Single(browser.Receiver.RequestsTo(endpoint));
        session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task a_webhook_switched_off_because_its_receiver_is_gone_says_so_in_czech_and_in_english_not_in_the_apis_words()
    {
        var eshop = await browser.RegisterEshopAsync();
        var endpoint = browser.Receiver.NewEndpoint(410);
        var off = await WaitForSwitchOffAsync(eshop, await WebhookWithoutRetriesAsync(eshop, "Starý CRM", endpoint, 2));
        Assert.Equal("receiverGone", off["autoDisabled"]!["cause"]!.GetValue<string>());
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await session.SignInAsync(eshop);

        var card = page.GetByRole(AriaRole.Article, new() { Name = "Starý CRM" });
        await Expect(card).ToContainTextAsync("Vypnuto automaticky ");
        await Expect(card).ToContainTextAsync("příjemce odpověděl 410 Gone, adresa už neplatí. Opravte adresu a webhook zase zapněte.");
        await Expect(card).Not.ToContainTextAsync(off["disabledReason"]!.GetValue<string>());

        await page.GetByRole(AriaRole.Button, Named("English")).ClickAsync();
        await Expect(card).ToContainTextAsync("Switched off automatically on ");
        await Expect(card).ToContainTextAsync("the receiver answered 410 Gone, the address is no more.");
        session.AssertNoScriptErrors();
    }

    private async Task<System.Text.Json.Nodes.JsonNode> WaitForSwitchOffAsync(Eshop eshop, string webhookId)
    {
        for (var i = 0; i < 200; i++)
        {
            var webhook = await browser.ApiAsync(HttpMethod.Get, $"/api/eshops/{eshop.Id}/webhooks/{webhookId}", null, eshop.ApiKey);
            if (!webhook["enabled"]!.GetValue<bool>()) return webhook;
            await Task.Delay(100);
        }
        Assert.Fail("The webhook was never switched off.");
        return null!;
    }

    [Fact]
    public async Task an_owner_sets_who_hears_about_failing_webhooks_and_a_wrong_address_is_refused_next_to_its_field()
    {
        var eshop = await browser.RegisterEshopAsync();
        var operations = browser.Receiver.NewEndpoint();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await session.SignInAsync(eshop);

        await page.GetByRole(AriaRole.Link, Named("Upozornění na nefunkční webhooky")).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Upozornění", Level = 1 })).ToBeFocusedAsync();
        // The browser tests' Host has no SMTP server: the page says e-mail is not sent here.
        await Expect(page.GetByText("Tato instalace zatím e-maily neposílá")).ToBeVisibleAsync();
        var emails = page.GetByLabel("E-mailové adresy");
        await emails.FillAsync("majitel@example.cz\nto-neni-adresa");
        await page.GetByRole(AriaRole.Button, Named("Uložit")).ClickAsync();
        await Expect(emails).ToHaveAccessibleDescriptionAsync(new Regex("Zadejte nejvýše 10 platných e-mailových adres"));
        Assert.Empty((await browser.ApiAsync(HttpMethod.Get, $"/api/eshops/{eshop.Id}/notifications", null, eshop.ApiKey))["emails"]!.AsArray());

        await emails.FillAsync("majitel@example.cz\nprovoz@example.cz");
        var byEmail = page.GetByRole(AriaRole.Group, new() { Name = "Posílat e-mailem" });
        await byEmail.GetByLabel("Webhook opět funguje").UncheckAsync();
        await page.GetByLabel("Provozní webhook (nepovinné)").FillAsync(operations);
        await page.GetByLabel("Po tolika neúspěšných pokusech za sebou").FillAsync("3");
        await Expect(page.GetByLabel("Časové pásmo v e-mailech")).ToHaveValueAsync("Europe/Prague");
        await page.GetByRole(AriaRole.Button, Named("Uložit")).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Upozornění jsou uložená." })).ToBeVisibleAsync();

        var saved = await browser.ApiAsync(HttpMethod.Get, $"/api/eshops/{eshop.Id}/notifications", null, eshop.ApiKey);
        Assert.Equal(["majitel@example.cz", "provoz@example.cz"], saved["emails"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal(["failing", "willBeDisabled", "disabled"], saved["emailAlerts"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal(4, saved["webhookAlerts"]!.AsArray().Count);
        Assert.Equal(operations, saved["webhookUrl"]!.GetValue<string>());
        Assert.Equal(3, saved["failingAfterAttempts"]!.GetValue<int>());
        await Expect(page.Locator(".secret-line code")).ToHaveTextAsync(saved["webhookSecret"]!.GetValue<string>());

        // The operational webhook's secret is rotated after a confirmation; the old one still signs for a day.
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.Locator(".secret-line").GetByRole(AriaRole.Button, new() { Name = "Vyměnit klíč" }).ClickAsync();
        await Expect(page.Locator(".secret-line")).ToContainTextAsync("Nový klíč platí hned. Starý podepisuje ještě do");
        var rotated = await browser.ApiAsync(HttpMethod.Get, $"/api/eshops/{eshop.Id}/notifications", null, eshop.ApiKey);
        Assert.NotEqual(saved["webhookSecret"]!.GetValue<string>(), rotated["webhookSecret"]!.GetValue<string>());
        await Expect(page.Locator(".secret-line code")).ToHaveTextAsync(rotated["webhookSecret"]!.GetValue<string>());
        session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task in_english_the_alert_settings_read_in_english_and_the_alerts_can_be_asked_for_in_english()
    {
        var eshop = await browser.RegisterEshopAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await session.SignInAsync(eshop);
        await page.GetByRole(AriaRole.Button, Named("English")).ClickAsync();

        await page.GetByRole(AriaRole.Link, Named("Alerts about failing webhooks")).ClickAsync();
        await page.GetByLabel("E-mail addresses").FillAsync("owner@example.com");
        await page.GetByLabel("Language of the alerts").SelectOptionAsync("en");
        await page.GetByLabel("Time zone of the e-mails").SelectOptionAsync("Europe/London");
        await page.GetByRole(AriaRole.Group, new() { Name = "Send to the operational webhook" })
            .GetByLabel("The webhook will soon be switched off automatically").UncheckAsync();
        var minutes = page.GetByLabel("or after failing for this many minutes");
        await minutes.FillAsync("0");
        await page.GetByRole(AriaRole.Button, Named("Save")).ClickAsync();
        await Expect(minutes).ToHaveAccessibleDescriptionAsync(new Regex("Minutes of failing before a webhook counts as failing: 1-10080"));

        await minutes.FillAsync("30");
        await page.GetByRole(AriaRole.Button, Named("Save")).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "The alert settings are saved." })).ToBeVisibleAsync();
        var saved = await browser.ApiAsync(HttpMethod.Get, $"/api/eshops/{eshop.Id}/notifications", null, eshop.ApiKey);
        Assert.Equal("en", saved["language"]!.GetValue<string>());
        Assert.Equal(30, saved["failingAfterMinutes"]!.GetValue<int>());
        Assert.Equal("Europe/London", saved["timeZone"]!.GetValue<string>());
        Assert.Equal(["failing", "disabled", "recovered"], saved["webhookAlerts"]!.AsArray().Select(e => e!.GetValue<string>()));
        session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task an_owner_sends_every_customers_state_after_confirming_watches_the_progress_bar_and_stops_it_half_way()
    {
        var eshop = await browser.RegisterEshopAsync();
        for (var i = 0; i < 30; i++)
            await browser.ApiAsync(HttpMethod.Post, $"/api/eshops/{eshop.Id}/customers", new { email = $"z{i}@example.cz", credit = i }, eshop.ApiKey);
        var endpoint = browser.Receiver.NewEndpoint();
        // One a second: a page is 5 customers, the next one 5 s later, so the job is still running when it is stopped.
        var webhook = await browser.ApiAsync(HttpMethod.Post, $"/api/eshops/{eshop.Id}/webhooks", new
        {
            name = "Nové ERP", trigger = "customer.credit.changed", url = endpoint, enabled = true, body = "{\"id\": \"#customer.id#\"}",
            rateLimit = new { requests = 1, per = "second" },
        }, eshop.ApiKey);
        var resyncs = $"/api/eshops/{eshop.Id}/webhooks/{webhook["id"]}/resyncs";
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await session.SignInAsync(eshop);

        await page.GetByRole(AriaRole.Link, Named("Historie odeslání")).ClickAsync();
        var resync = page.GetByRole(AriaRole.Region, new() { Name = "Poslat aktuální stav zákazníků" });
        await resync.GetByRole(AriaRole.Button, new() { Name = "Poslat stav všech zákazníků", Exact = true }).ClickAsync();
        await Expect(resync).ToContainTextAsync("Poslat přes webhook „Nové ERP“ aktuální stav všech zákazníků?");
        Assert.Empty((await browser.ApiAsync(HttpMethod.Get, resyncs, null, eshop.ApiKey)).AsArray());
        await resync.GetByRole(AriaRole.Button, new() { Name = "Ano, poslat", Exact = true }).ClickAsync();

        await Expect(resync.GetByRole(AriaRole.Status)).ToHaveTextAsync(
            new Regex(@"^Zpracováno (5|10) z 30 zákazníků \((16|33) %\), odesláno (5|10), přeskočeno 0\.$"));
        await Expect(resync.GetByRole(AriaRole.Progressbar)).ToHaveAttributeAsync("value", new Regex("^(16|33)$"));
        await resync.GetByRole(AriaRole.Button, new() { Name = "Zastavit", Exact = true }).ClickAsync();
        await Expect(resync.GetByRole(AriaRole.Status)).ToHaveTextAsync(new Regex(@"^Zastaveno .+ po (5|10|15) z 30 zákazníků \(odesláno (5|10|15)\)\.$"));
        await Expect(resync.GetByRole(AriaRole.Button, new() { Name = "Poslat stav všech zákazníků", Exact = true })).ToBeVisibleAsync();
        var job = (await browser.ApiAsync(HttpMethod.Get, resyncs, null, eshop.ApiKey)).AsArray().Single()!;
        Assert.Equal(("cancelled", "user"), (job["status"]!.GetValue<string>(), job["cancelledBy"]!.GetValue<string>()));

        // Each customer sent is an ordinary delivery in the log, marked as a resync.
        await Expect(page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "resync" }).First).ToContainTextAsync("Doručeno");
        await browser.Receiver.WaitForRequestsAsync(endpoint, job["sent"]!.GetValue<int>());
        session.AssertNoScriptErrors();
    }

    [Fact]
    public async Task in_english_a_resync_of_a_webhook_with_conditions_sends_only_the_customers_who_meet_them_and_says_so_when_done()
    {
        var eshop = await browser.RegisterEshopAsync();
        foreach (var credit in new[] { 5, 10, 20 })
            await browser.ApiAsync(HttpMethod.Post, $"/api/eshops/{eshop.Id}/customers", new { email = $"e{credit}@example.com", credit }, eshop.ApiKey);
        var endpoint = browser.Receiver.NewEndpoint();
        var webhook = await browser.ApiAsync(HttpMethod.Post, $"/api/eshops/{eshop.Id}/webhooks", new
        {
            name = "Mailing", trigger = "customer.credit.changed", url = endpoint, enabled = true, body = "{\"credit\": #customer.credit#}",
            conditions = new[] { new { variable = "customer.credit", @operator = ">=", value = 10 } },
        }, eshop.ApiKey);
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await session.SignInAsync(eshop);
        await page.GetByRole(AriaRole.Button, Named("English")).ClickAsync();

        await page.GetByRole(AriaRole.Link, Named("Delivery log")).ClickAsync();
        var resync = page.GetByRole(AriaRole.Region, new() { Name = "Send the current state of customers" });
        await Expect(resync.GetByLabel("Only customers who meet the webhook's conditions")).ToBeCheckedAsync();
        await resync.GetByRole(AriaRole.Button, new() { Name = "Send all customers' state", Exact = true }).ClickAsync();
        await Expect(resync).ToContainTextAsync("Send the current state of every customer who meets its conditions through the webhook \"Mailing\"?");
        await resync.GetByRole(AriaRole.Button, new() { Name = "Yes, send", Exact = true }).ClickAsync();

        await Expect(resync.GetByRole(AriaRole.Status)).ToHaveTextAsync(new Regex(@"^Done .+: 2 of 3 customers sent, 1 skipped\.$"));
        var received = await browser.Receiver.WaitForRequestsAsync(endpoint, 2);
        Assert.Equal(["{\"credit\": 10}", "{\"credit\": 20}"], received.Select(r => r.BodyText).Order());
        Assert.All(received, r => Assert.True(r.Headers.ContainsKey("ellity-resync")));
        session.AssertNoScriptErrors();
    }

    /// <summary>The webhook's health takes failures in a moment after the attempts: the list shows it once it has.</summary>
    /// <summary>A credit-changed webhook to <paramref name="endpoint"/> that never retries, then one customer's credit set to each value.</summary>
    private async Task<string> WebhookWithoutRetriesAsync(Eshop eshop, string name, string endpoint, params int[] credits)
    {
        var webhook = await browser.ApiAsync(HttpMethod.Post, $"/api/eshops/{eshop.Id}/webhooks", new
        {
            name, trigger = "customer.credit.changed", url = endpoint, enabled = true, retrySchedule = Array.Empty<int>(),
        }, eshop.ApiKey);
        var customer = await browser.ApiAsync(HttpMethod.Post, $"/api/eshops/{eshop.Id}/customers",
            new { email = $"{Guid.NewGuid():N}@example.cz", credit = 1 }, eshop.ApiKey);
        foreach (var value in credits)
            await browser.ApiAsync(HttpMethod.Post, $"/api/eshops/{eshop.Id}/customers/{customer["id"]}/credit", new { value, reason = "order" }, eshop.ApiKey);
        return webhook["id"]!.GetValue<string>();
    }

    private async Task WaitForFailuresAsync(Eshop eshop, string webhookId, int failures)
    {
        for (var i = 0; i < 200; i++)
        {
            var health = (await browser.ApiAsync(HttpMethod.Get, $"/api/eshops/{eshop.Id}/webhooks/{webhookId}", null, eshop.ApiKey))["health"]!;
            if (health["consecutiveFailures"]!.GetValue<int>() >= failures) return;
            await Task.Delay(100);
        }
        Assert.Fail($"The webhook's health never counted {failures} failures.");
    }

    /// <summary>Presses Tab until the control with this visible label or text has focus, as a keyboard user would.</summary>
    private static async Task TabToAsync(IPage page, string name)
    {
        var seen = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focused = await page.EvaluateAsync<string>(
                "() => { const el = document.activeElement; return ((el.labels && el.labels[0]) ? el.labels[0].textContent : el.textContent || '').trim(); }");
            if (focused == name) return;
            seen.Add(focused);
        }
        Assert.Fail($"Tab never reached \"{name}\"; it went through: {string.Join(" | ", seen)}");
    }
}

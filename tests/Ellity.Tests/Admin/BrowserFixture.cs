using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ellity.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Ellity.Tests.Admin;

/// <summary>
/// What the browser tests share: the Host as a real process (a browser needs a real port) on a
/// database of its own, a receiver for the webhooks, and one headless Chromium (Debian's). Each
/// test opens its own browser context, so sign-ins and language choices never leak between tests.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private string _database = "";
    private IPlaywright? _playwright;

    public HostProcess Host { get; private set; } = null!;
    public Receiver Receiver { get; } = new();
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException(
                $"The admin page's browser tests need Chromium at {ChromiumPath}: run `apt-get install -y chromium fonts-liberation` (.ci/run does).");
        // A page on a busy 2-core machine can take a while; the assertions wait for it rather than fail.
        Assertions.SetDefaultExpectTimeout(20_000);
        _database = await TestPostgres.CreateDatabaseAsync();
        await Receiver.StartAsync();
        // A retry schedule of its own, so the page is seen describing the configured one, not a fixed text.
        var host = HostProcess.StartAsync(_database, ScriptedReceiver.FreePort(), new Dictionary<string, string>
        {
            ["Webhooks__RetrySchedule__0"] = "30", ["Webhooks__RetrySchedule__1"] = "7200",
        });
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath, Headless = true, Args = ["--disable-gpu", "--no-sandbox"],
        });
        Host = await host;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        if (Host is not null) await Host.DisposeAsync();
        await Receiver.DisposeAsync();
        if (_database != "") await TestPostgres.DropDatabaseAsync(_database);
    }

    /// <summary>
    /// A new e-shop, registered with the operator key as the walkthrough does; its API key is what the owner signs in with.
    /// It has added the Webhooks feature unless told otherwise.
    /// </summary>
    public async Task<Eshop> RegisterEshopAsync(bool withWebhooks = true)
    {
        var id = AppFixture.NewEshopId();
        var created = await ApiAsync(HttpMethod.Post, "/api/eshops", new { eshopId = id, name = "Shop " + id }, AppFixture.OperatorKey);
        if (withWebhooks) await ApiAsync(HttpMethod.Post, $"/api/eshops/{id}/features/webhooks", null, AppFixture.OperatorKey);
        return new Eshop(id, created["apiKey"]!.GetValue<string>());
    }

    /// <summary>A call to the public API, as another system of the shop would make it.</summary>
    public async Task<JsonNode> ApiAsync(HttpMethod method, string path, object? body, string key)
    {
        using var request = new HttpRequestMessage(method, Host.Url + path);
        request.Headers.Authorization = new("Bearer", key);
        if (body is not null) request.Content = JsonContent.Create(body);
        using var response = await Host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return string.IsNullOrEmpty(text) ? new JsonObject() : JsonNode.Parse(text)!;
    }

    public async Task<BrowserSession> OpenAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = Host.Url, ViewportSize = new() { Width = width, Height = height }, Locale = "cs-CZ", TimezoneId = "Europe/Prague",
        });
        var session = new BrowserSession(context, await context.NewPageAsync());
        return session;
    }
}

public sealed record Eshop(string Id, string ApiKey);

/// <summary>One browser context and its page; records script errors and CSP violations so a test can assert there were none.</summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly List<string> _errors = [];

    public BrowserSession(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.PageError += (_, error) => { lock (_errors) _errors.Add(error); };
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
                lock (_errors) _errors.Add(message.Text);
        };
    }

    public IBrowserContext Context { get; }
    public IPage Page { get; }

    public async Task SignInAsync(Eshop eshop)
    {
        await Page.GotoAsync("/admin");
        await Page.GetByLabel("ID e-shopu").FillAsync(eshop.Id);
        await Page.GetByLabel("API klíč").FillAsync(eshop.ApiKey);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Přihlásit se" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Webhooky", Level = 1 })).ToBeVisibleAsync();
    }

    /// <summary>No script error and no Content-Security-Policy violation happened on the page.</summary>
    public void AssertNoScriptErrors()
    {
        lock (_errors) Assert.True(_errors.Count == 0, string.Join("\n", _errors));
    }

    public ValueTask DisposeAsync() => Context.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

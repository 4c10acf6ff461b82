using System.Text.Json.Nodes;
using Ellity.Tests.Infrastructure;

namespace Ellity.Tests.Webhooks.Subscribing;

[Collection(AppCollection.Name)]
public sealed class ManagingWebhooksTests(AppFixture app)
{
    private const string CreditBody = "{ \"email\":\"#customer.email#\", \"credit\": #customer.credit# }";

    [Fact]
    public async Task the_defaults_a_webhook_gets_are_this_installations_configuration()
    {
        var defaults = (await app.GetAsync("/api/webhooks/defaults")).ReadAs<WebhookDefaultsView>();

        Assert.Equal([5, 300, 1800, 7200, 18000, 36000, 36000], defaults.RetrySchedule);
        Assert.Equal(5, defaults.AttemptTimeoutSeconds);
        Assert.Equal(10, defaults.MaxConcurrentPerWebhook);
        Assert.Equal(90, defaults.ContentRetentionDays);
    }

    [Fact]
    public async Task trigger_catalog_lists_each_trigger_with_described_variables_and_samples()
    {
        var triggers = (await app.GetAsync("/api/webhooks/triggers")).ReadAs<List<TriggerView>>();

        var names = triggers.Select(t => t.Name).ToList();
        Assert.Contains("customer.credit.changed", names);
        Assert.Contains("customer.tier.changed", names);
        Assert.Contains("customer.registered", names);
        var credit = triggers.Single(t => t.Name == "customer.credit.changed");
        var value = credit.Variables.Single(v => v.Name == "creditChange.value");
        Assert.Equal("number", value.Type);
        Assert.False(string.IsNullOrWhiteSpace(value.Description));
        Assert.False(string.IsNullOrWhiteSpace(value.Sample));
        var tier = triggers.Single(t => t.Name == "customer.tier.changed");
        Assert.Contains(tier.Variables, v => v.Name == "tierChange.previous.name");
    }

    [Fact]
    public async Task created_webhook_is_listed_and_read_back_with_its_method()
    {
        var eshop = await app.NewEshopAsync();
        var created = await app.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "ERP", trigger = "customer.credit.changed", url = "https://erp.example.cz/hook?id=#customer.id#",
            body = CreditBody, enabled = true,
        }, 201);
        var id = created.AsWebhook().Id;

        var read = (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{id}")).AsWebhook();
        var list = (await app.GetAsync($"/api/eshops/{eshop}/webhooks")).AsWebhooks();

        Assert.Equal("POST", read.Method);
        Assert.Equal(CreditBody, read.Body);
        Assert.True(read.Enabled);
        Assert.Equal(id, Assert.Single(list).Id);
    }

    [Fact]
    public async Task webhook_without_body_is_a_get()
    {
        var eshop = await app.NewEshopAsync();

        var created = (await app.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "Mailing", trigger = "customer.tier.changed", url = "https://mail.example.cz/t?e=#customer.email#", body = "  ",
        }, 201)).AsWebhook();

        Assert.Equal("GET", created.Method);
        Assert.Null(created.Body);
    }

    [Fact]
    public async Task unknown_variable_is_rejected_with_the_closest_known_name_and_nothing_is_saved()
    {
        var eshop = await app.NewEshopAsync();

        var problem = await app.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "ERP", trigger = "customer.credit.changed", url = "https://erp.example.cz/hook",
            body = "{ \"email\": \"#customer.emial#\" }",
        }, 400);

        var unknown = Assert.Single(problem["unknownVariables"]!.AsArray())!;
        Assert.Equal("customer.emial", unknown["variable"]!.GetValue<string>());
        Assert.Equal("customer.email", unknown["suggestion"]!.GetValue<string>());
        Assert.Contains("customer.email", problem["errors"]!["body"]![0]!.GetValue<string>());
        Assert.Empty((JsonArray)await app.GetAsync($"/api/eshops/{eshop}/webhooks"));
    }

    [Fact]
    public async Task variable_the_trigger_does_not_carry_is_accepted_with_a_warning()
    {
        var eshop = await app.NewEshopAsync();

        var created = (await app.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "ERP", trigger = "customer.credit.changed", url = "https://erp.example.cz/hook?prev=#tierChange.previous.id#",
        }, 201)).AsWebhook();

        var warning = created.Warnings.ShouldWarnOnlyAbout("tierChange.previous.id");
        Assert.Equal("url", warning.Field);
    }

    [Fact]
    public async Task invalid_json_body_is_rejected_with_its_position()
    {
        var eshop = await app.NewEshopAsync();

        var problem = await app.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "ERP", trigger = "customer.credit.changed", url = "https://erp.example.cz/hook",
            body = "{\n  \"a\": 1,\n  \"b\": }",
        }, 400);

        Assert.Equal(3, problem["bodyError"]!["line"]!.GetValue<int>());
        Assert.NotNull(problem["errors"]!["body"]);
        Assert.Empty((JsonArray)await app.GetAsync($"/api/eshops/{eshop}/webhooks"));
    }

    [Theory]
    [InlineData("customer.nothing", "https://x.example.cz/", "trigger")]
    [InlineData("customer.credit.changed", "ftp://x.example.cz/", "url")]
    [InlineData("customer.credit.changed", "/relative/path", "url")]
    [InlineData("customer.credit.changed", "#customer.email#", "url")]
    [InlineData("customer.credit.changed", "", "url")]
    public async Task bad_trigger_or_url_is_a_problem_naming_the_field(string trigger, string url, string field)
    {
        var eshop = await app.NewEshopAsync();

        var problem = await app.PostAsync($"/api/eshops/{eshop}/webhooks", new { name = "X", trigger, url }, 400);

        Assert.NotNull(problem["errors"]![field]);
    }

    [Fact]
    public async Task update_records_only_what_changed_and_the_stream_tells_the_history()
    {
        var eshop = await app.NewEshopAsync();
        var id = await app.CreateWebhookAsync(eshop, "customer.credit.changed", "https://erp.example.cz/a", null);

        var updated = (await app.PutAsync($"/api/eshops/{eshop}/webhooks/{id}", new
        {
            name = "Test webhook", trigger = "customer.credit.changed", url = "https://erp.example.cz/b", body = CreditBody, enabled = false,
        })).AsWebhook();

        Assert.Equal("https://erp.example.cz/b", updated.Url);
        Assert.Equal("POST", updated.Method);
        Assert.False(updated.Enabled);
        await using var session = app.Store.QuerySession();
        var types = (await session.Events.FetchStreamAsync(id)).Select(e => e.EventTypeName).ToList();
        Assert.Equal(["webhook_created", "webhook_url_changed", "webhook_body_changed", "webhook_disabled"], types);
    }

    [Fact]
    public async Task enable_disable_and_delete()
    {
        var eshop = await app.NewEshopAsync();
        var id = await app.CreateWebhookAsync(eshop, "customer.credit.changed", "https://erp.example.cz/a", null);

        var disabled = (await app.PostAsync($"/api/eshops/{eshop}/webhooks/{id}/disable", null)).AsWebhook();
        var enabled = (await app.PostAsync($"/api/eshops/{eshop}/webhooks/{id}/enable", null)).AsWebhook();
        await app.ExpectAsync(204, HttpMethod.Delete, $"/api/eshops/{eshop}/webhooks/{id}");

        Assert.False(disabled.Enabled);
        Assert.True(enabled.Enabled);
        await app.GetAsync($"/api/eshops/{eshop}/webhooks/{id}", 404);
        Assert.Empty((JsonArray)await app.GetAsync($"/api/eshops/{eshop}/webhooks"));
    }

    [Fact]
    public async Task another_eshops_webhook_is_not_found_and_stays_untouched()
    {
        var eshop = await app.NewEshopAsync();
        var other = await app.NewEshopAsync();
        var id = await app.CreateWebhookAsync(eshop, "customer.credit.changed", "https://erp.example.cz/a", null);
        var input = new { name = "Stolen", trigger = "customer.credit.changed", url = "https://evil.example.com/" };

        await app.GetAsync($"/api/eshops/{other}/webhooks/{id}", 404);
        await app.PutAsync($"/api/eshops/{other}/webhooks/{id}", input, 404);
        await app.PostAsync($"/api/eshops/{other}/webhooks/{id}/disable", null, 404);
        await app.ExpectAsync(404, HttpMethod.Delete, $"/api/eshops/{other}/webhooks/{id}");
        await app.GetAsync($"/api/eshops/{other}/webhooks/{id}/deliveries", 404);

        Assert.Empty((JsonArray)await app.GetAsync($"/api/eshops/{other}/webhooks"));
        var mine = (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{id}")).AsWebhook();
        Assert.Equal("https://erp.example.cz/a", mine.Url);
        Assert.True(mine.Enabled);
    }

    [Fact]
    public async Task preview_renders_the_exact_request_with_sample_data_and_warnings()
    {
        var eshop = await app.NewEshopAsync();

        var preview = (await app.PostAsync($"/api/eshops/{eshop}/webhooks/preview", new
        {
            trigger = "customer.credit.changed",
            url = "https://erp.example.cz/hook?email=#customer.email#",
            body = "{\"eshop\": \"#account.eshopId#\", \"credit\": #customer.credit#, \"prev\": #tierChange.previous.id#}",
        })).ReadAs<PreviewView>();

        Assert.Equal("POST", preview.Method);
        Assert.Equal("https://erp.example.cz/hook?email=jana.novakova%40example.cz", preview.Url);
        Assert.Equal($"{{\"eshop\": \"{eshop}\", \"credit\": 1250.5, \"prev\": \"\"}}", preview.Body);
        Assert.Equal("application/json; charset=utf-8", preview.Headers["Content-Type"]);
        preview.Warnings.ShouldWarnOnlyAbout("tierChange.previous.id");

    }

    [Fact]
    public async Task openapi_document_describes_the_admin_api()
    {
        var document = await app.GetAsync("/openapi/v1.json");

        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/api/webhooks/triggers", paths);
        Assert.Contains("/api/eshops/{eshopId}/webhooks", paths);
        Assert.Contains("/api/eshops/{eshopId}/webhooks/{webhookId}/deliveries", paths);
        Assert.Contains("/api/eshops/{eshopId}/deliveries/{deliveryId}/events", paths);
        Assert.Contains("/api/eshops/{eshopId}/customers/{customerId}/credit", paths);
    }
}

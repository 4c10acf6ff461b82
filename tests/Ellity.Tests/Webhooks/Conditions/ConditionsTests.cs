using System.Text.Json.Nodes;
using Ellity.Tests.Infrastructure;

namespace Ellity.Tests.Webhooks.Conditions;

/// <summary>Conditions on a webhook: checked on save like templates, met or not by each event, counted when not.</summary>
[Collection(AppCollection.Name)]
public sealed class ConditionsTests(AppFixture app)
{
    private static object Webhook(string trigger, string url, object conditions) =>
        new { name = "Conditional", trigger, url, body = (string?)null, enabled = true, conditions };

    public static TheoryData<string, string, string> BadConditions => new()
    {
        { """[{"variable": "creditchange.valeu", "operator": ">=", "value": 100}]""", "conditions[0].variable", "did you mean #creditChange.value#" },
        { """[{"variable": "customer.email", "operator": ">", "value": "a"}]""", "conditions[0].operator", "contains" },
        { """[{"variable": "creditChange.value", "operator": "contains", "value": "1"}]""", "conditions[0].operator", ">=" },
        { """[{"variable": "creditChange.value", "operator": ">=", "value": "lots"}]""", "conditions[0].value", "not a number" },
        { """[{"variable": "creditChange.value", "operator": ">=", "value": "1,5"}]""", "conditions[0].value", "not a number" },
        { """[{"variable": "creditChange.value", "operator": ">="}]""", "conditions[0].value", "required" },
        { """[{"variable": "customer.email", "operator": "isEmpty", "value": "x"}]""", "conditions[0].value", "takes no value" },
        { """[{"variable": "customer.email", "operator": "=", "value": {"a": 1}}]""", "conditions[0].value", "string or a number" },
        { """[{"variable": "customer.email", "operator": "=", "value": true}]""", "conditions[0].value", "string or a number" },
        { """[{"operator": "=", "value": "x"}]""", "conditions[0].variable", "required" },
        { """[{"variable": "customer.tier.id", "operator": "=", "value": "gold"}, null]""", "conditions[1]", "object" },
        { $$"""[{"variable": "customer.email", "operator": "contains", "value": "{{new string('x', 501)}}"}]""", "conditions[0].value", "500 characters" },
        { $$"""[{{string.Join(", ", Enumerable.Repeat("""{"variable": "customer.email", "operator": "isNotEmpty"}""", 11))}}]""", "conditions", "At most 10" },
    };

    [Theory]
    [MemberData(nameof(BadConditions))]
    public async Task a_condition_that_cannot_be_checked_is_a_400_naming_its_field_on_create_update_and_preview(string conditions,
        string field, string message)
    {
        var eshop = await app.NewEshopAsync();
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", "https://erp.example.cz/", null);
        var body = $$"""{"name": "Bad", "trigger": "customer.credit.changed", "url": "https://erp.example.cz/", "enabled": true, "conditions": {{conditions}}}""";

        foreach (var (method, url) in new[]
                 {
                     (HttpMethod.Post, $"/api/eshops/{eshop}/webhooks"), (HttpMethod.Put, $"/api/eshops/{eshop}/webhooks/{webhook}"),
                     (HttpMethod.Post, $"/api/eshops/{eshop}/webhooks/preview"),
                 })
        {
            var (status, problem) = await app.SendAsync(method, url, body);
            Assert.True(status == 400, $"{method} {url}: {status} {problem?.ToJsonString()}");
            var errors = problem!["errors"]![field]!.AsArray().Select(e => e!.GetValue<string>()).ToList();
            Assert.Contains(errors, e => e.Contains(message, StringComparison.Ordinal));
        }
        // Nothing half-written: the webhook is as it was, with no conditions.
        Assert.Empty((await app.GetAsync($"/api/eshops/{eshop}/webhooks/{webhook}"))["conditions"]!.AsArray());
        Assert.Single((await app.GetAsync($"/api/eshops/{eshop}/webhooks")).AsArray());
    }

    [Fact]
    public async Task only_events_that_meet_every_condition_are_sent_and_the_others_are_counted_as_skipped_with_the_reason()
    {
        var eshop = await app.NewEshopAsync();
        var toGold = app.Receiver.NewEndpoint();
        var bigCredit = app.Receiver.NewEndpoint();
        var gold = (await app.PostAsync($"/api/eshops/{eshop}/webhooks", Webhook("customer.tier.changed", toGold + "?tier=#customer.tier.id#",
            new[] { new { variable = "customer.tier.id", @operator = "=", value = "gold" } }), 201))["id"]!.GetValue<Guid>();
        // A number may come as a JSON number or a string; both variables must hold.
        var big = (await app.PostAsync($"/api/eshops/{eshop}/webhooks", Webhook("customer.credit.changed", bigCredit + "?v=#creditChange.value#",
            new object[]
            {
                new { variable = "creditChange.value", @operator = ">=", value = (object)100 },
                new { variable = "customer.group.id", @operator = "=", value = (object)"b2b" },
            }), 201))["id"]!.GetValue<Guid>();
        Assert.Equal(">=", (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{big}"))["conditions"]![0]!["operator"]!.GetValue<string>());
        Assert.Equal("100", (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{big}"))["conditions"]![0]!["value"]!.GetValue<string>());

        var firm = await app.RegisterCustomerAsync(eshop, "firma@example.cz", credit: 0, group: new { id = "b2b", name = "Firmy" });
        var person = await app.RegisterCustomerAsync(eshop, "jana@example.cz", credit: 0, group: new { id = "retail", name = "Maloobchod" });
        foreach (var value in new[] { 50m, 150m, -200m, 100m }) await app.ChangeCreditAsync(eshop, firm, value);
        await app.ChangeCreditAsync(eshop, person, 500m);
        foreach (var tier in new[] { "silver", "gold", "platinum" })
            await app.PutAsync($"/api/eshops/{eshop}/customers/{firm}/tier", new { id = tier, name = tier });

        await app.WaitForFinishedDeliveriesAsync(eshop, big, 2);
        await app.WaitForFinishedDeliveriesAsync(eshop, gold, 1);
        var stats = await app.WaitForAsync($"/api/eshops/{eshop}/webhooks/{big}/stats",
            s => s["last24Hours"]!["skipped"]!.GetValue<int>() >= 3, "three skipped credit changes");
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Equal(["v=100", "v=150"], app.Receiver.RequestsTo(bigCredit).Select(r => r.PathAndQuery.Split('?')[1]).Order());
        Assert.Equal(["tier=gold"], app.Receiver.RequestsTo(toGold).Select(r => r.PathAndQuery.Split('?')[1]));
        Assert.Equal(2, (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{big}/deliveries"))["items"]!.AsArray().Count);
        stats = await app.GetAsync($"/api/eshops/{eshop}/webhooks/{big}/stats");
        Assert.Equal(3, stats["last24Hours"]!["skipped"]!.GetValue<int>());
        Assert.Equal(3, stats["last7Days"]!["skipped"]!.GetValue<int>());
        Assert.Equal(2, stats["last24Hours"]!["deliveries"]!.GetValue<int>());
        // The last one skipped was the retail customer's 500: their group is not b2b.
        Assert.Equal("customer.group.id = b2b", stats["lastSkipped"]!["unmet"]!.GetValue<string>());
        var goldStats = await app.WaitForAsync($"/api/eshops/{eshop}/webhooks/{gold}/stats",
            s => s["last24Hours"]!["skipped"]!.GetValue<int>() == 2, "two skipped tier changes");
        Assert.Equal("customer.tier.id = gold", goldStats["lastSkipped"]!["unmet"]!.GetValue<string>());
    }

    [Fact]
    public async Task the_preview_says_whether_the_triggers_sample_would_be_sent_and_why_not()
    {
        var eshop = await app.NewEshopAsync();
        var preview = await app.PostAsync($"/api/eshops/{eshop}/webhooks/preview", new
        {
            trigger = "customer.credit.changed", url = "https://erp.example.cz/",
            conditions = new object[]
            {
                new { variable = "customer.tier.id", @operator = "=", value = "gold" },
                new { variable = "creditChange.value", @operator = ">=", value = 100 },
            },
        });

        Assert.False(preview["sent"]!.GetValue<bool>());
        var conditions = preview["conditions"]!.AsArray();
        Assert.True(conditions[0]!["holds"]!.GetValue<bool>());
        Assert.Equal("gold", conditions[0]!["sample"]!.GetValue<string>());
        Assert.False(conditions[1]!["holds"]!.GetValue<bool>());
        Assert.Equal("-20.5", conditions[1]!["sample"]!.GetValue<string>());

        var plain = await app.PostAsync($"/api/eshops/{eshop}/webhooks/preview", new { trigger = "customer.credit.changed", url = "https://erp.example.cz/" });
        Assert.True(plain["sent"]!.GetValue<bool>());
        Assert.Empty(plain["conditions"]!.AsArray());
    }

    [Fact]
    public async Task conditions_are_changed_with_the_webhook_recorded_in_its_history_and_a_variable_the_trigger_lacks_is_a_warning()
    {
        var eshop = await app.NewEshopAsync();
        var created = await app.PostAsync($"/api/eshops/{eshop}/webhooks", Webhook("customer.registered", "https://erp.example.cz/",
            new[] { new { variable = "creditChange.value", @operator = ">", value = "0" } }), 201);
        var id = created["id"]!.GetValue<Guid>();
        var warning = Assert.Single(created["warnings"]!.AsArray())!;
        Assert.Equal("conditions[0].variable", warning["field"]!.GetValue<string>());
        Assert.Contains("the condition sees an empty value", warning["message"]!.GetValue<string>());

        await app.PutAsync($"/api/eshops/{eshop}/webhooks/{id}", Webhook("customer.registered", "https://erp.example.cz/",
            new[] { new { variable = "customer.email", @operator = "contains", value = "@firma.cz" } }));
        // The same conditions again change nothing; none clears them.
        await app.PutAsync($"/api/eshops/{eshop}/webhooks/{id}", Webhook("customer.registered", "https://erp.example.cz/",
            new[] { new { variable = "customer.email", @operator = "contains", value = "@firma.cz" } }));
        var cleared = await app.PutAsync($"/api/eshops/{eshop}/webhooks/{id}", new
        {
            name = "Conditional", trigger = "customer.registered", url = "https://erp.example.cz/", enabled = true,
        });
        Assert.Empty(cleared["conditions"]!.AsArray());

        var history = (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{id}/history")).AsArray();
        Assert.Equal(["created", "conditions-changed", "conditions-changed"], history.Select(h => h!["change"]!.GetValue<string>()));
        Assert.Equal("creditChange.value", history[0]!["data"]!["conditions"]![0]!["variable"]!.GetValue<string>());
        Assert.Equal("@firma.cz", history[1]!["data"]!["conditions"]![0]!["value"]!.GetValue<string>());
        Assert.Empty(history[2]!["data"]!["conditions"]!.AsArray());
    }
}

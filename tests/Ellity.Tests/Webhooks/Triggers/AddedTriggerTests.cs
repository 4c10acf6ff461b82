using System.Text.Json.Nodes;
using Ellity.Customers.Contracts;
using Ellity.Tests.Infrastructure;
using Ellity.Webhooks.Triggers;

namespace Ellity.Tests.Webhooks.Triggers;

/// <summary>
/// A trigger defined outside the Webhooks module, on a customer event no built-in trigger fires on, and registered by
/// the test hosts (<see cref="AppFixture"/>) with <c>AddWebhookTrigger</c>: that entry is all a new trigger takes.
/// </summary>
public static class TestTriggers
{
    public static readonly Trigger GroupChanged = Trigger.On<CustomerGroupChangedIntegrationEvent>(
        "test.customer.group.changed", "A customer moved to another group (a trigger the tests add).",
        [
            new("groupChange.previous.id", "Id of the previous group (empty if none)", "retail", VariableType.Text),
            new("groupChange.previous.name", "Name of the previous group (empty if none)", "Maloobchod", VariableType.Text),
        ],
        (e, values) => Trigger.AddRef(values, "groupChange.previous", e.PreviousGroup));
}

[Collection(AppCollection.Name)]
public sealed class AddedTriggerTests(AppFixture app)
{
    [Fact]
    public async Task an_added_trigger_is_listed_after_the_built_in_ones_with_its_variables()
    {
        var triggers = (JsonArray)await app.GetAsync("/api/webhooks/triggers");

        Assert.Equal(["customer.credit.changed", "customer.tier.changed", "customer.registered", "test.customer.group.changed"],
            triggers.Select(t => t!["name"]!.GetValue<string>()));
        var variables = triggers[^1]!["variables"]!.AsArray().Select(v => v!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("customer.group.id", variables);
        Assert.Contains("groupChange.previous.name", variables);
    }

    [Fact]
    public async Task an_added_trigger_validates_previews_and_delivers_its_own_variables()
    {
        var eshop = await app.NewEshopAsync();
        var endpoint = app.Receiver.NewEndpoint();
        const string body = "{\"type\": \"#event.type#\", \"group\": \"#customer.group.id#\", \"previous\": \"#groupChange.previous.name#\", " +
            "\"credit\": #customer.credit#}";

        var preview = await app.PostAsync($"/api/eshops/{eshop}/webhooks/preview",
            new { trigger = TestTriggers.GroupChanged.Name, url = endpoint, body });
        Assert.Equal("{\"type\": \"test.customer.group.changed\", \"group\": \"retail\", \"previous\": \"Maloobchod\", \"credit\": 1250.5}",
            preview["body"]!.GetValue<string>());
        var webhook = await app.CreateWebhookAsync(eshop, TestTriggers.GroupChanged.Name, endpoint, body);
        var customer = await app.RegisterCustomerAsync(eshop, credit: 80m, group: new { id = "retail", name = "Maloobchod" });
        await app.ChangeCreditAsync(eshop, customer, 5m);

        await app.PutAsync($"/api/eshops/{eshop}/customers/{customer}/group", new { id = "b2b", name = "Firmy" });

        var request = await app.SingleRequestAsync(eshop, endpoint);
        Assert.Equal("{\"type\": \"test.customer.group.changed\", \"group\": \"b2b\", \"previous\": \"Maloobchod\", \"credit\": 85}",
            request.BodyText);
        var delivery = Assert.Single(await app.WaitForFinishedDeliveriesAsync(eshop, webhook, 1))!;
        Assert.Equal(TestTriggers.GroupChanged.Name, delivery["trigger"]!.GetValue<string>());
    }

    [Fact]
    public async Task a_variable_only_the_added_trigger_carries_is_known_to_every_webhook()
    {
        var eshop = await app.NewEshopAsync();

        var created = await app.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "ERP", trigger = "customer.credit.changed", url = "https://erp.example.cz/?g=#groupChange.previous.id#",
        }, 201);

        var warning = Assert.Single(created["warnings"]!.AsArray())!;
        Assert.Equal("groupChange.previous.id", warning["variable"]!.GetValue<string>());
    }
}

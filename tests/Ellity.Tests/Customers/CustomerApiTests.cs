using System.Text.Json.Nodes;
using Ellity.Tests.Infrastructure;

namespace Ellity.Tests.Customers;

[Collection(AppCollection.Name)]
public sealed class CustomerApiTests(AppFixture app)
{
    [Fact]
    public async Task registered_customer_can_be_read_back_with_its_credit_group_and_tier()
    {
        var eshop = await app.NewEshopAsync();
        var created = await app.PostAsync($"/api/eshops/{eshop}/customers", new
        {
            email = "jana@example.cz", credit = 100.5m,
            group = new { id = "retail", name = "Maloobchod" }, tier = new { id = "silver", name = "Stříbrná" },
        }, 201);
        var id = created.AsCustomer().Id;
        Assert.Equal(7, id.Version);

        var customer = (await app.GetAsync($"/api/eshops/{eshop}/customers/{id}")).AsCustomer();
        Assert.Equal("jana@example.cz", customer.Email);
        Assert.Equal(100.5m, customer.Credit);
        Assert.Equal("Maloobchod", customer.Group?.Name);
        Assert.Equal("silver", customer.Tier?.Id);
    }

    [Fact]
    public async Task credit_changes_return_the_new_balance()
    {
        var eshop = await app.NewEshopAsync();
        var id = await app.RegisterCustomerAsync(eshop, credit: 100m);

        var first = await app.ChangeCreditAsync(eshop, id, -20.5m, "order 123");
        var second = await app.ChangeCreditAsync(eshop, id, 5m, "bonus");

        Assert.Equal(79.5m, first.AsCreditBalance().Balance);
        Assert.Equal(84.5m, second.AsCreditBalance().Balance);
        var customer = (await app.GetAsync($"/api/eshops/{eshop}/customers/{id}")).AsCustomer();
        Assert.Equal(84.5m, customer.Credit);
    }

    [Fact]
    public async Task setting_the_tier_the_customer_already_has_appends_nothing()
    {
        var eshop = await app.NewEshopAsync();
        var id = await app.RegisterCustomerAsync(eshop, tier: new { id = "gold", name = "Gold" });

        await app.PutAsync($"/api/eshops/{eshop}/customers/{id}/tier", new { id = "gold", name = "Gold" });
        await using (var session = app.Store.QuerySession())
            Assert.Single(await session.Events.FetchStreamAsync(id));

        var changed = (await app.PutAsync($"/api/eshops/{eshop}/customers/{id}/tier", new { id = "platinum", name = "Platinum" })).AsCustomer();
        Assert.Equal("platinum", changed.Tier?.Id);
        await using (var session = app.Store.QuerySession())
            Assert.Equal(2, (await session.Events.FetchStreamAsync(id)).Count);
    }

    [Fact]
    public async Task group_can_be_changed()
    {
        var eshop = await app.NewEshopAsync();
        var id = await app.RegisterCustomerAsync(eshop);

        var changed = (await app.PutAsync($"/api/eshops/{eshop}/customers/{id}/group", new { id = "wholesale", name = "Velkoobchod" })).AsCustomer();

        Assert.Equal("wholesale", changed.Group?.Id);
    }

    [Fact]
    public async Task another_eshops_customer_is_not_found()
    {
        var eshop = await app.NewEshopAsync();
        var id = await app.RegisterCustomerAsync(eshop, credit: 100m);
        var other = await app.NewEshopAsync();

        var problem = await app.GetAsync($"/api/eshops/{other}/customers/{id}", 404);
        await app.PostAsync($"/api/eshops/{other}/customers/{id}/credit", new { value = 10 }, 404);
        await app.PutAsync($"/api/eshops/{other}/customers/{id}/tier", new { id = "gold", name = "Gold" }, 404);

        Assert.Equal(404, problem["status"]!.GetValue<int>());
        var customer = (await app.GetAsync($"/api/eshops/{eshop}/customers/{id}")).AsCustomer();
        Assert.Equal(100m, customer.Credit);
        Assert.Null(customer.Tier);
    }

    [Theory]
    [InlineData("{\"email\": \"not-an-email\"}", "email")]
    [InlineData("{\"email\": \"a@b.cz\", \"credit\": -5}", "credit")]
    [InlineData("{\"email\": \"a@b.cz\", \"tier\": {\"id\": \"\", \"name\": \"Gold\"}}", "tier.id")]
    public async Task invalid_registration_is_a_problem_naming_the_field(string body, string field)
    {
        var eshop = await app.NewEshopAsync();

        var problem = await app.PostAsync($"/api/eshops/{eshop}/customers", body, 400);

        Assert.NotNull(problem["errors"]![field]);
    }

    [Theory]
    [InlineData("{\"value\": 0}")]
    [InlineData("{\"reason\": \"no value\"}")]
    [InlineData("{\"value\": 1e30}")]
    public async Task invalid_credit_change_is_rejected_and_changes_nothing(string body)
    {
        var eshop = await app.NewEshopAsync();
        var id = await app.RegisterCustomerAsync(eshop, credit: 10m);

        var (status, problem) = await app.SendAsync(HttpMethod.Post, $"/api/eshops/{eshop}/customers/{id}/credit", body);

        Assert.Equal(400, status);
        Assert.Equal(400, problem!["status"]!.GetValue<int>());
        var customer = (await app.GetAsync($"/api/eshops/{eshop}/customers/{id}")).AsCustomer();
        Assert.Equal(10m, customer.Credit);
    }

    [Theory]
    [InlineData("{\"email\": 5}", "email")]
    [InlineData("{\"email\": \"a@b.cz\", \"credit\": \"lots\"}", "credit")]
    [InlineData("{\"email\": \"a@b.cz\", \"tier\": {\"id\": 5, \"name\": \"x\"}}", "tier.id")]
    public async Task a_wrong_type_is_a_problem_naming_the_field(string body, string field)
    {
        var (status, problem) = await app.SendAsync(HttpMethod.Post, $"/api/eshops/{await app.NewEshopAsync()}/customers", body);

        Assert.Equal(400, status);
        Assert.NotNull(problem!["errors"]![field]);
    }

    [Fact]
    public async Task malformed_json_is_a_400_problem()
    {
        var eshop = await app.NewEshopAsync();

        var (status, problem) = await app.SendAsync(HttpMethod.Post, $"/api/eshops/{eshop}/customers", "{\"email\": ");

        Assert.Equal(400, status);
        Assert.IsType<JsonObject>(problem);
    }
    [Fact]
    public async Task a_batch_of_credit_changes_applies_each_in_order_and_answers_every_balance()
    {
        var eshop = await app.NewEshopAsync();
        var jana = await app.RegisterCustomerAsync(eshop, credit: 100m);
        var petr = await app.RegisterCustomerAsync(eshop, email: "petr@example.cz", credit: 0m);

        var answer = await app.PostAsync($"/api/eshops/{eshop}/customers/credit-changes", new
        {
            changes = new object[]
            {
                new { customerId = jana, value = -30, reason = "points expired" },
                new { customerId = petr, value = 5 },
                new { customerId = jana, value = 10.5 },
            },
        });

        var balances = answer.ReadAs<CreditBalancesView>().Balances.Select(b => (b.CustomerId, b.Balance)).ToList();
        Assert.Equal([(jana, 70m), (petr, 5m), (jana, 80.5m)], balances);
        Assert.Equal(80.5m, (await app.GetAsync($"/api/eshops/{eshop}/customers/{jana}")).AsCustomer().Credit);
        Assert.Equal(5m, (await app.GetAsync($"/api/eshops/{eshop}/customers/{petr}")).AsCustomer().Credit);
    }

    [Theory]
    [InlineData("{}", "changes")]
    [InlineData("{\"changes\": []}", "changes")]
    [InlineData("{\"changes\": [null]}", "changes[0]")]
    [InlineData("{\"changes\": [{\"value\": 5}]}", "changes[0].customerId")]
    [InlineData("{\"changes\": [{\"customerId\": \"not-a-guid\", \"value\": 5}]}", "changes[0].customerId")]
    [InlineData("{\"changes\": [{\"customerId\": \"CUSTOMER\", \"value\": \"5\"}]}", "changes[0].value")]
    [InlineData("{\"changes\": [{\"customerId\": \"CUSTOMER\", \"value\": 5}, {\"customerId\": \"CUSTOMER\", \"value\": 0}]}", "changes[1].value")]
    [InlineData("{\"changes\": [{\"customerId\": \"CUSTOMER\", \"value\": 5}, {\"customerId\": \"CUSTOMER\", \"value\": 1, \"reason\": \"a\\u0007b\"}]}", "changes[1].reason")]
    [InlineData("{\"changes\": [{\"customerId\": \"CUSTOMER\", \"value\": 5}, {\"customerId\": \"OTHER\", \"value\": 5}]}", "changes[1].customerId")]
    [InlineData("{\"changes\": [{\"customerId\": \"CUSTOMER\", \"value\": 5}, {\"customerId\": \"01a23200-0000-7000-8000-000000000000\", \"value\": 5}]}", "changes[1].customerId")]
    public async Task an_invalid_batch_is_a_problem_naming_the_change_and_changes_nobody(string body, string field)
    {
        var eshop = await app.NewEshopAsync();
        var customer = await app.RegisterCustomerAsync(eshop, credit: 10m);
        var other = await app.RegisterCustomerAsync(await app.NewEshopAsync(), credit: 10m);

        var (status, problem) = await app.SendAsync(HttpMethod.Post, $"/api/eshops/{eshop}/customers/credit-changes",
            body.Replace("CUSTOMER", customer.ToString()).Replace("OTHER", other.ToString()));

        Assert.Equal(400, status);
        Assert.NotNull(problem!["errors"]![field]);
        Assert.Equal(10m, (await app.GetAsync($"/api/eshops/{eshop}/customers/{customer}")).AsCustomer().Credit);
    }

    [Fact]
    public async Task a_batch_may_hold_at_most_500_changes()
    {
        var eshop = await app.NewEshopAsync();
        var customer = await app.RegisterCustomerAsync(eshop, credit: 10m);

        var (status, problem) = await app.SendAsync(HttpMethod.Post, $"/api/eshops/{eshop}/customers/credit-changes",
            new { changes = Enumerable.Range(0, 501).Select(_ => new { customerId = customer, value = 1 }) });

        Assert.Equal(400, status);
        Assert.NotNull(problem!["errors"]!["changes"]);
        Assert.Equal(10m, (await app.GetAsync($"/api/eshops/{eshop}/customers/{customer}")).AsCustomer().Credit);

    }
}

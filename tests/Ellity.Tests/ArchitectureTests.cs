using System.Reflection;
using Ellity.Admin;
using Ellity.Customers;
using Ellity.Customers.Contracts;
using Ellity.Webhooks;

namespace Ellity.Tests;

/// <summary>Modules talk only through contracts: the compiled assemblies must say so.</summary>
public sealed class ArchitectureTests
{
    private static readonly Assembly Webhooks = typeof(WebhooksModule).Assembly;
    private static readonly Assembly Customers = typeof(CustomersModule).Assembly;
    private static readonly Assembly Contracts = typeof(ICustomerIntegrationEvent).Assembly;

    [Fact]
    public void webhooks_module_does_not_reference_the_customers_module()
    {
        var references = Webhooks.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.DoesNotContain(Customers.GetName().Name, references);
        Assert.Contains(Contracts.GetName().Name, references);
    }

    [Fact]
    public void eshops_module_references_no_other_module()
    {
        var references = typeof(Ellity.Eshops.EshopsModule).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.DoesNotContain(Webhooks.GetName().Name, references);
        Assert.DoesNotContain(Customers.GetName().Name, references);
    }

    [Fact]
    public void admin_module_references_no_other_module_it_only_serves_the_page_that_calls_the_http_api()
    {
        var references = typeof(AdminModule).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(references, name => name.StartsWith("Ellity.", StringComparison.Ordinal));
    }

    [Fact]
    public void customers_module_does_not_reference_the_webhooks_module()
    {
        Assert.DoesNotContain(Webhooks.GetName().Name, Customers.GetReferencedAssemblies().Select(a => a.Name));
    }

    [Fact]
    public void contracts_depend_on_nothing_but_the_framework()
    {
        var references = Contracts.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.All(references, name => Assert.True(name.StartsWith("System") || name == "netstandard",
            $"Contracts reference {name}"));
    }
}

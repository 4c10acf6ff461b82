using System.Reflection;
using System.Text.RegularExpressions;
using Ellity.Admin;
using Ellity.Customers;
using Ellity.Customers.Contracts;
using Ellity.Tests.Infrastructure;
using Ellity.Webhooks;

namespace Ellity.Tests;

/// <summary>Modules talk only through contracts: the compiled assemblies must say so. Inside a module, folders depend one way.</summary>
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
    public void webhooks_module_sees_the_eshops_module_only_through_its_contracts()
    {
        var references = Webhooks.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.DoesNotContain(typeof(Ellity.Eshops.EshopsModule).Assembly.GetName().Name, references);
        Assert.Contains(typeof(Ellity.Eshops.Contracts.EshopFeatures).Assembly.GetName().Name, references);
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
        var references = new[] { Contracts, typeof(Ellity.Eshops.Contracts.EshopFeatures).Assembly }
            .SelectMany(c => c.GetReferencedAssemblies()).Select(a => a.Name!).ToList();

        Assert.All(references, name => Assert.True(name.StartsWith("System") || name == "netstandard",
            $"Contracts reference {name}"));
    }

    /// <summary>
    /// A feature's tests live in the folder of the same name under tests/, in the namespace of that folder, so a newcomer
    /// finds them where the feature's code is.
    /// </summary>
    [Fact]
    public void the_webhooks_tests_are_in_the_modules_folders()
    {
        var root = TestPostgres.RepositoryRoot();
        var source = Directory.GetDirectories(Path.Combine(root, "src", "Modules", "Webhooks")).Select(Path.GetFileName).ToHashSet();
        var tests = Path.Combine(root, "tests", "Ellity.Tests", "Webhooks");

        Assert.All(Directory.GetDirectories(tests), folder =>
        {
            var name = Path.GetFileName(folder);
            Assert.Contains(name, source);
            Assert.All(Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories), file =>
                Assert.Contains($"namespace Ellity.Tests.Webhooks.{name};", File.ReadAllText(file)));
        });
    }

    /// <summary>
    /// A trigger may fire on any customer contract event (see TriggerCatalog), so each one needs the handler that dispatches
    /// it alone when its page could not be dispatched: without it such events would be dropped with no one noticing.
    /// </summary>
    [Fact]
    public void every_customer_contract_event_has_a_fallback_dispatch_handler()
    {
        var handled = typeof(Ellity.Webhooks.Dispatching.DispatchCustomerEvents).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name == "Handle").Select(m => m.GetParameters()[0].ParameterType).ToHashSet();
        var events = typeof(ICustomerIntegrationEvent).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && typeof(ICustomerIntegrationEvent).IsAssignableFrom(t))
            // Erasures have their own handler, in Erasing.
            .Where(t => t != typeof(CustomerPersonalDataErasedIntegrationEvent)).ToList();

        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.Contains(e, handled));
    }

    /// <summary>
    /// A file of one folder reaches another folder's types only by naming its namespace (a using directive or a qualified
    /// name), so those names are the folders' dependencies, and they must run one way. What every folder shares sits at
    /// the module's root, which each folder sees without naming it.
    /// </summary>
    [Fact]
    public void the_webhooks_modules_folders_depend_on_each_other_without_a_cycle()
    {
        var module = Path.Combine(TestPostgres.RepositoryRoot(), "src", "Modules", "Webhooks");
        var folders = Directory.GetDirectories(module).Select(Path.GetFileName).OfType<string>()
            .Where(name => name is not ("bin" or "obj")).ToHashSet();
        var edges = folders.ToDictionary(f => f, _ => new Dictionary<string, string>());
        foreach (var folder in folders)
            foreach (var file in Directory.EnumerateFiles(Path.Combine(module, folder), "*.cs", SearchOption.AllDirectories))
                foreach (Match named in Regex.Matches(File.ReadAllText(file), @"\bEllity\.Webhooks\.(\w+)"))
                    if (named.Groups[1].Value is var other && other != folder && folders.Contains(other))
                        edges[folder].TryAdd(other, Path.GetRelativePath(module, file));
        Assert.NotEmpty(edges.Values.SelectMany(e => e.Keys));

        var cycle = FindCycle(edges);
        Assert.True(cycle is null, cycle is null ? "" :
            "The Webhooks folders depend on each other in a cycle: " + string.Join(", ",
                cycle.Zip(cycle.Skip(1), (from, to) => $"{from} -> {to} ({edges[from][to]})")));
    }

    private static List<string>? FindCycle(Dictionary<string, Dictionary<string, string>> edges)
    {
        var done = new HashSet<string>();
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            if (path.IndexOf(node) is var at and >= 0) return [.. path[at..], node];
            if (!done.Add(node)) return null;
            path.Add(node);
            foreach (var next in edges[node].Keys)
                if (Visit(next) is { } found) return found;
            path.RemoveAt(path.Count - 1);
            return null;
        }
        return edges.Keys.Order().Select(Visit).FirstOrDefault(c => c is not null);
    }
}

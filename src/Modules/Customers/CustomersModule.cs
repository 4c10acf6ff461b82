using Ellity.Customers.Contracts;
using Ellity.Customers.ListingCustomers;
using Ellity.Customers.Publishing;
using JasperFx.Events.Projections;
using Microsoft.Extensions.DependencyInjection;

namespace Ellity.Customers;

/// <summary>
/// Customers stand in for the rest of Ellity, whose module code emits the domain events webhooks react to. Their routes
/// carry no rate limit (<c>DisableRateLimiting</c>): that traffic is the platform's own, not a shop's to throttle.
/// </summary>
public static class CustomersModule
{
    public const string Schema = "customers";

    /// <summary>The projections behind this module's read models, which the Host's rebuild-read-models command rebuilds.</summary>
    public static readonly string[] ReadModels = ["Customer"];

    public static void ConfigureMarten(StoreOptions options)
    {
        options.Projections.Snapshot<Customer>(SnapshotLifecycle.Inline);
        // The e-shop's customers in id order is how the directory pages through them (ListingCustomers).
        options.Schema.For<Customer>().DatabaseSchemaName(Schema).Index(x => new { x.EshopId, x.Id });
        options.Events.AddEventType<CustomerRegistered>();
        options.Events.AddEventType<CreditChanged>();
        options.Events.AddEventType<TierChanged>();
        options.Events.AddEventType<GroupChanged>();
        options.Events.AddEventType<CustomerPersonalDataErased>();
        options.Events.MetadataConfig.HeadersEnabled = true;
        // Applied to a customer's stream when their personal data is erased (see ErasingPersonalData).
        options.Events.AddMaskingRuleForProtectedInformation<CustomerRegistered>(e => e with { Email = Customer.ErasedEmail });
    }

    public static IServiceCollection AddCustomersModule(this IServiceCollection services)
    {
        // Built by the container, so that it gets every module's ICustomerEventSubscriber.
        services.SubscribeToEventsWithServices<PublishCustomerEvents>(ServiceLifetime.Singleton);
        services.AddSingleton<ICustomerDirectory, CustomerDirectory>();
        return services;
    }
}

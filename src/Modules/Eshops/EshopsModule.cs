using Microsoft.Extensions.DependencyInjection;

namespace Ellity.Eshops;

public static class EshopsModule
{
    public const string Schema = "eshops";

    /// <summary>The projections behind this module's read models, which the Host's rebuild-read-models command rebuilds.</summary>
    public static readonly string[] ReadModels = ["Eshop"];

    public static void ConfigureMarten(StoreOptions options)
    {
        options.Projections.Snapshot<Eshop>(JasperFx.Events.Projections.SnapshotLifecycle.Inline);
        options.Schema.For<Eshop>().DatabaseSchemaName(Schema).Index(x => x.ApiKeyHash);
        options.Events.AddEventType<EshopRegistered>();
        options.Events.AddEventType<ApiKeyRotated>();
    }

    /// <summary>API-key authentication and the access policies every endpoint is held to (<see cref="EshopPolicies"/>).</summary>
    public static IServiceCollection AddEshopsModule(this IServiceCollection services) => services.AddEshopAccess();
}

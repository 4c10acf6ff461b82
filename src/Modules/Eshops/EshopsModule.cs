using Microsoft.Extensions.DependencyInjection;

namespace Ellity.Eshops;

public static class EshopsModule
{
    public const string Schema = "eshops";

    /// <summary>The projections behind this module's read models, which the Host's rebuild-read-models command rebuilds.</summary>
    public static readonly string[] ReadModels = ["Eshop", "EshopFeatures"];

    public static void ConfigureMarten(StoreOptions options)
    {
        options.Projections.Snapshot<Eshop>(JasperFx.Events.Projections.SnapshotLifecycle.Inline);
        options.Schema.For<Eshop>().DatabaseSchemaName(Schema).Index(x => x.ApiKeyHash);
        options.Projections.Add<EshopFeaturesProjection>(JasperFx.Events.Projections.ProjectionLifecycle.Inline);
        options.Schema.For<EshopFeatures>().DatabaseSchemaName(Schema);
        options.Events.AddEventType<EshopRegistered>();
        options.Events.AddEventType<ApiKeyRotated>();
        options.Events.AddEventType<EshopFeatureAdded>();
        options.Events.AddEventType<EshopFeatureRemoved>();
    }

    /// <summary>API-key authentication and the access policies every endpoint is held to (<see cref="EshopPolicies"/>).</summary>
    public static IServiceCollection AddEshopsModule(this IServiceCollection services) => services.AddEshopAccess();
}

using Marten;
using Microsoft.AspNetCore.Builder;
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

    public static IServiceCollection AddEshopsModule(this IServiceCollection services) =>
        services.AddSingleton<EshopAccess>();

    /// <summary>Puts the API-key check in front of every <c>/api/eshops/...</c> route.</summary>
    public static IApplicationBuilder UseEshopAccess(this IApplicationBuilder app)
    {
        var access = app.ApplicationServices.GetRequiredService<EshopAccess>();
        return app.Use((context, next) => access.InvokeAsync(context, next));
    }
}

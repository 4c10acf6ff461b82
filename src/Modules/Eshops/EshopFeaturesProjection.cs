using Marten.Events.Aggregation;

namespace Ellity.Eshops;

/// <summary>Publishes each e-shop's <see cref="EshopFeatures"/>, in the transaction of the change, for the modules behind them.</summary>
public sealed partial class EshopFeaturesProjection : SingleStreamProjection<EshopFeatures, Guid>
{
    public EshopFeatures Create(EshopRegistered e) => new()
    {
        Id = e.StreamId,
        EshopId = e.EshopId,
        Added = e.Features is { } features ? features.ToDictionary(f => f, _ => e.At) : Every(),
    };

    public void Apply(EshopFeatures features, EshopFeatureAdded e)
    {
        Registered(features, e.EshopId);
        features.Added.TryAdd(e.Feature, e.At);
    }

    public void Apply(EshopFeatures features, EshopFeatureRemoved e)
    {
        Registered(features, e.EshopId);
        features.Added.Remove(e.Feature);
    }

    /// <summary>
    /// The stream of an e-shop registered before features existed has no document until its first feature change, which
    /// starts from every feature, as that e-shop had them.
    /// </summary>
    private static void Registered(EshopFeatures features, string eshopId)
    {
        if (features.EshopId.Length > 0) return;
        features.Id = EshopFeatures.IdFor(eshopId);
        features.EshopId = eshopId;
        features.Added = Every();
    }

    private static Dictionary<string, DateTimeOffset> Every() => EshopFeature.All.ToDictionary(f => f, _ => DateTimeOffset.MinValue);
}

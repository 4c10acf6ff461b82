using JasperFx.Events;

namespace Ellity.Eshops.Features;

/// <summary>A feature of the e-shop: whether it is added, and since when.</summary>
public sealed record FeatureResponse(string Feature, bool Added, DateTimeOffset? Since);

/// <summary>
/// Adding and removing a feature, in the e-shop's stream under its lock: two requests at once are one after the other, and
/// adding what is added (or removing what is not) changes nothing.
/// </summary>
public static class EshopFeatureChanges
{
    public static EshopFeatureAdded? Add(EshopFeatures? features, string eshopId, string feature, DateTimeOffset now) =>
        EshopFeatures.Has(features, feature) ? null : new EshopFeatureAdded(eshopId, feature, now);

    public static EshopFeatureRemoved? Remove(EshopFeatures? features, string eshopId, string feature, DateTimeOffset now) =>
        EshopFeatures.Has(features, feature) ? new EshopFeatureRemoved(eshopId, feature, now) : null;

    /// <summary>The e-shop's features for writing; its stream exists (only a registered e-shop gets past the access rules).</summary>
    public static async Task<IEventStream<EshopFeatures>> FetchAsync(IDocumentSession session, string eshopId, CancellationToken ct) =>
        await session.Events.FetchForExclusiveWriting<EshopFeatures>(EshopFeatures.IdFor(eshopId), ct);

    public static FeatureResponse Response(EshopFeatures? features, string feature, object? change) => change switch
    {
        EshopFeatureAdded added => new(feature, true, added.At),
        EshopFeatureRemoved => new(feature, false, null),
        _ => EshopFeatures.Since(features, feature) is { } since
            ? new(feature, true, since == DateTimeOffset.MinValue ? null : since)
            : new(feature, false, null),
    };
}

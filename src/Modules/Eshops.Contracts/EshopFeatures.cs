using System.Security.Cryptography;
using System.Text;

namespace Ellity.Eshops.Contracts;

/// <summary>The features an e-shop can add to its Ellity plan.</summary>
public static class EshopFeature
{
    /// <summary>Webhooks: without it, an e-shop's webhooks neither change nor send.</summary>
    public const string Webhooks = "webhooks";

    public static readonly IReadOnlyList<string> All = [Webhooks];
}

/// <summary>
/// The features an e-shop has added, and since when: the read model the Eshops module publishes for other modules to
/// load by <see cref="IdFor"/>, kept in the transaction that changes it. An e-shop registered before features existed
/// has no document until its first feature change, and counts as having every feature (<see cref="Has"/> on null).
/// </summary>
public sealed class EshopFeatures
{
    public Guid Id { get; set; }
    public string EshopId { get; set; } = "";

    /// <summary>Each added feature and when it was last added.</summary>
    public Dictionary<string, DateTimeOffset> Added { get; set; } = [];

    /// <summary>Whether the e-shop has the feature now.</summary>
    public static bool Has(EshopFeatures? features, string feature) => features is null || features.Added.ContainsKey(feature);

    /// <summary>Since when the e-shop has had the feature without a break; null when it has not got it.</summary>
    public static DateTimeOffset? Since(EshopFeatures? features, string feature) =>
        features is null ? DateTimeOffset.MinValue : features.Added.TryGetValue(feature, out var since) ? since : null;

    /// <summary>The id of the e-shop's stream and of this document (see <see cref="EshopStreams"/>).</summary>
    public static Guid IdFor(string eshopId) => EshopStreams.IdFor("ellity-eshop", eshopId);
}

/// <summary>
/// E-shop ids are strings and streams are keyed by Guid: a stream kept per e-shop (its features here, a module's own
/// settings elsewhere) gets an id derived from the e-shop's, so the same id always finds the same stream.
/// </summary>
public static class EshopStreams
{
    /// <summary>A name-based id, distinct per <paramref name="purpose"/>.</summary>
    public static Guid IdFor(string purpose, string eshopId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(purpose + ":" + eshopId));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}

/// <summary>An e-shop added <see cref="Feature"/> at <see cref="At"/> (again, or for the first time).</summary>
public sealed record EshopFeatureAddedIntegrationEvent(string EshopId, string Feature, DateTimeOffset At);

/// <summary>An e-shop removed <see cref="Feature"/> at <see cref="At"/>: the module behind it stops what it was doing.</summary>
public sealed record EshopFeatureRemovedIntegrationEvent(string EshopId, string Feature, DateTimeOffset At);

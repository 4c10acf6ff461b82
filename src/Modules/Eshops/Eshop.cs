using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Ellity.Eshops.Contracts;

namespace Ellity.Eshops;

/// <summary>
/// A new e-shop. <see cref="Features"/>: what it starts with, none since features exist (null in the streams of e-shops
/// registered before, which count as having every feature).
/// </summary>
public sealed record EshopRegistered(Guid StreamId, string EshopId, string Name, string ApiKeyHash, DateTimeOffset At,
    IReadOnlyList<string>? Features = null);

/// <summary>A new API key replaced the old one, which stops working at once.</summary>
public sealed record ApiKeyRotated(string ApiKeyHash, DateTimeOffset At);

/// <summary>The e-shop added <see cref="Feature"/> (see <see cref="EshopFeature"/>); who did it is the event's user name.</summary>
public sealed record EshopFeatureAdded(string EshopId, string Feature, DateTimeOffset At);

/// <summary>The e-shop removed <see cref="Feature"/>; what the feature had set up is kept for when it is added again.</summary>
public sealed record EshopFeatureRemoved(string EshopId, string Feature, DateTimeOffset At);

/// <summary>An e-shop that may use the API, with the hash of its API key (the key itself is never stored).</summary>
public sealed partial record Eshop(Guid Id, string EshopId, string Name, string ApiKeyHash, DateTimeOffset CreatedAt)
{
    public const string IdRule = "1-64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit.";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex IdPattern();

    public static bool IsValidId(string? eshopId) => eshopId is not null && IdPattern().IsMatch(eshopId);

    public static Eshop Create(EshopRegistered e) => new(e.StreamId, e.EshopId, e.Name, e.ApiKeyHash, e.At);

    public Eshop Apply(ApiKeyRotated e) => this with { ApiKeyHash = e.ApiKeyHash };

    /// <summary>E-shop ids are strings; their streams need a Guid, derived so the same id always finds the same stream.</summary>
    public static Guid StreamIdFor(string eshopId) => EshopFeatures.IdFor(eshopId);
}

/// <summary><see cref="Features"/>: the features the e-shop has added (see <see cref="EshopFeature"/>).</summary>
public sealed record EshopResponse(string EshopId, string Name, DateTimeOffset CreatedAt, IReadOnlyList<string> Features);

/// <summary>Shown once, when the key is issued.</summary>
public sealed record EshopWithKeyResponse(string EshopId, string Name, DateTimeOffset CreatedAt, string ApiKey);

public static class ApiKeys
{
    /// <summary><c>ek_</c> and 32 random bytes: long enough that a plain SHA-256 is a safe way to store it.</summary>
    public static string New() => "ek_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
        .Replace('+', '-').Replace('/', '_').TrimEnd('=');

    public static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static bool Matches(string key, string hash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(key)), Encoding.ASCII.GetBytes(hash));
}

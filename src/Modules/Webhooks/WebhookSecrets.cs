using System.Security.Cryptography;

namespace Ellity.Webhooks;

/// <summary>
/// Each webhook signs its deliveries (Standard Webhooks) with a secret of its own. Rotating keeps
/// the previous secret signing alongside the new one for a day, so receivers can switch over.
/// Secrets are stored encrypted (<see cref="WebhookSecretProtector"/>); only creating, reading and
/// rotating show one in clear.
/// </summary>
public static class WebhookSecrets
{
    public const string Prefix = "whsec_";

    public static readonly TimeSpan PreviousSecretLifetime = TimeSpan.FromHours(24);

    /// <summary><c>whsec_</c> and 32 random bytes in base64, as the Standard Webhooks spec shows secrets.</summary>
    public static string New() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}

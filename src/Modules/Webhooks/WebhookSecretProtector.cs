using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Ellity.Webhooks;

/// <summary>A webhook's stored signing secret cannot be decrypted, so nothing can be signed with it until it is rotated.</summary>
public sealed class WebhookSecretUnavailableException(Guid webhookId, Exception inner)
    : Exception("The webhook's signing secret cannot be decrypted: the Data Protection key ring may have been lost; rotate the secret.", inner)
{
    public Guid WebhookId { get; } = webhookId;
}

/// <summary>
/// Signing secrets are stored encrypted with Data Protection (the custom headers' key ring, a purpose of their own)
/// and decrypted only to sign a request or to show the secret to its owner. Streams written before that hold
/// them in clear (<c>whsec_...</c>), which is read as it is.
/// </summary>
public sealed class WebhookSecretProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Ellity.Webhooks.SigningSecrets");

    public string Protect(string secret) => _protector.Protect(secret);

    /// <summary>The secret in clear, from its stored form.</summary>
    public string Unprotect(Guid webhookId, string stored)
    {
        // Data Protection's output is base64url of a header that never spells the prefix.
        if (stored.StartsWith(WebhookSecrets.Prefix, StringComparison.Ordinal)) return stored;
        try
        {
            return _protector.Unprotect(stored);
        }
        catch (CryptographicException e)
        {
            throw new WebhookSecretUnavailableException(webhookId, e);
        }
    }

    /// <summary>The secret in clear, or null when the key ring can no longer decrypt it.</summary>
    public string? TryUnprotect(Guid id, string stored)
    {
        try
        {
            return Unprotect(id, stored);
        }
        catch (WebhookSecretUnavailableException)
        {
            return null;
        }
    }

    /// <summary>The secrets in clear that sign a request sent at <paramref name="now"/>.</summary>
    public IReadOnlyList<string> SigningSecrets(Webhook? webhook, DateTimeOffset now) =>
        webhook is null ? [] : [.. webhook.StoredSigningSecrets(now).Select(stored => Unprotect(webhook.Id, stored))];

    /// <summary>
    /// Replaces a secret (stored form, of <paramref name="ownerId"/>) with <paramref name="secret"/>: both protected, the
    /// current one kept signing for a day, protected even if it was stored in clear. One that cannot be decrypted any more
    /// is dropped: it could sign nothing, and rotating is how an owner recovers from a lost key ring.
    /// </summary>
    public (string Secret, string? Previous, DateTimeOffset PreviousExpiresAt) Rotate(Guid ownerId, string? stored, string secret,
        DateTimeOffset now)
    {
        var previous = stored is null ? null : TryUnprotect(ownerId, stored);
        return (Protect(secret), previous is null ? null : Protect(previous), now + WebhookSecrets.PreviousSecretLifetime);
    }

    /// <summary>Replaces the webhook's secret with <paramref name="secret"/> (see the overload above).</summary>
    public WebhookSecretRotated Rotate(Webhook webhook, string secret, DateTimeOffset now)
    {
        var (current, previous, expiresAt) = Rotate(webhook.Id, webhook.Secret, secret, now);
        return new(current, previous, expiresAt);
    }
}

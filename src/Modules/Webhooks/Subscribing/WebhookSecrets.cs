using System.Security.Cryptography;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Http;

namespace Ellity.Webhooks.Subscribing;

public sealed record SecretResponse(string Secret, DateTimeOffset? PreviousSecretExpiresAt);

/// <summary>
/// Each webhook signs its deliveries (Standard Webhooks) with a secret of its own. Rotating keeps
/// the previous secret signing alongside the new one for a day, so receivers can switch over.
/// </summary>
public static class WebhookSecrets
{
    public static readonly TimeSpan PreviousSecretLifetime = TimeSpan.FromHours(24);

    /// <summary><c>whsec_</c> and 32 random bytes in base64, as the Standard Webhooks spec shows secrets.</summary>
    public static string New() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static WebhookSecretRotated Rotate(Webhook webhook, string secret, DateTimeOffset now) =>
        new(secret, webhook.Secret, now + PreviousSecretLifetime);

    [WolverineGet("/api/eshops/{eshopId}/webhooks/{webhookId}/secret"), Tags("Webhooks")]
    public static async Task<Results<Ok<SecretResponse>, ProblemHttpResult>> Get(
        string eshopId, Guid webhookId, IQuerySession session, CancellationToken ct) =>
        await WebhookLookup.Load(session, eshopId, webhookId, ct) is { Secret: { } secret } webhook
            ? TypedResults.Ok(new SecretResponse(secret, webhook.PreviousSecretExpiresAt > DateTimeOffset.UtcNow ? webhook.PreviousSecretExpiresAt : null))
            : WebhookLookup.NotFound(webhookId);

    [WolverinePost("/api/eshops/{eshopId}/webhooks/{webhookId}/secret/rotate"), Tags("Webhooks")]
    public static async Task<Results<Ok<SecretResponse>, ProblemHttpResult>> PostRotate(
        string eshopId, Guid webhookId, IDocumentSession session, CancellationToken ct)
    {
        var stream = await WebhookLookup.FetchForWriting(session, eshopId, webhookId, ct);
        if (stream is null) return WebhookLookup.NotFound(webhookId);

        var rotated = Rotate(stream.Aggregate!, New(), DateTimeOffset.UtcNow);
        stream.AppendOne(rotated);
        return TypedResults.Ok(new SecretResponse(rotated.Secret, rotated.PreviousExpiresAt));
    }
}

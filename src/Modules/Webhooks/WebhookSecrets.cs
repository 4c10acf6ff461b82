using System.Security.Cryptography;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Ellity.Webhooks;

public sealed record SecretResponse(string Secret, DateTimeOffset? PreviousSecretExpiresAt);

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

    [WolverineGet("/api/eshops/{eshopId}/webhooks/{webhookId}/secret"), Tags("Webhooks")]
    // The 409 below, for a secret the key ring cannot decrypt: a ProblemHttpResult tells OpenAPI nothing by itself.
    [ProducesResponseType(StatusCodes.Status409Conflict)]
    public static async Task<Results<Ok<SecretResponse>, ProblemHttpResult>> Get(
        string eshopId, Guid webhookId, IQuerySession session, WebhookSecretProtector protector, CancellationToken ct)
    {
        if (await WebhookLookup.Load(session, eshopId, webhookId, ct) is not { Secret: { } stored } webhook)
            return WebhookLookup.NotFound(webhookId);
        try
        {
            return TypedResults.Ok(new SecretResponse(protector.Unprotect(webhookId, stored),
                webhook.PreviousSecret is not null && webhook.PreviousSecretExpiresAt > DateTimeOffset.UtcNow ? webhook.PreviousSecretExpiresAt : null));
        }
        catch (WebhookSecretUnavailableException unavailable)
        {
            // Not a server fault the owner must wait out: rotating gives a secret the current key ring can read.
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Signing secret unavailable",
                detail: unavailable.Message);
        }
    }

    [WolverinePost("/api/eshops/{eshopId}/webhooks/{webhookId}/secret/rotate"), Tags("Webhooks"), EnableRateLimiting(WebhookRateLimits.Writes)]
    public static async Task<Results<Ok<SecretResponse>, ProblemHttpResult>> PostRotate(
        string eshopId, Guid webhookId, IDocumentSession session, WebhookSecretProtector protector, CancellationToken ct)
    {
        var stream = await WebhookLookup.FetchForWriting(session, eshopId, webhookId, ct);
        if (stream is null) return WebhookLookup.NotFound(webhookId);

        var secret = New();
        var rotated = protector.Rotate(stream.Aggregate!, secret, DateTimeOffset.UtcNow);
        stream.AppendOne(rotated);
        return TypedResults.Ok(new SecretResponse(secret, rotated.PreviousSecret is null ? null : rotated.PreviousExpiresAt));
    }
}

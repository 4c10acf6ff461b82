using Ellity.Webhooks.Subscribing;

namespace Ellity.Webhooks.Alerting;

/// <summary>
/// A new signing secret for the e-shop's operational webhook, shown here (and by <c>GET .../notifications</c>); the previous
/// one keeps signing beside it for <see cref="WebhookSecrets.PreviousSecretLifetime"/>, so the receiver can switch over.
/// </summary>
public static class RotateAlertWebhookSecretEndpoint
{
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [WolverinePost("/api/eshops/{eshopId}/notifications/secret/rotate"), Tags("Notifications"), EnableRateLimiting(WebhookRateLimits.Writes)]
    public static async Task<Results<Ok<SecretResponse>, ProblemHttpResult>> Post(string eshopId, IDocumentSession session,
        WebhookSecretProtector secrets, CancellationToken ct)
    {
        // For writing: a settings change racing this one fails on the version instead of losing the new secret.
        var stream = await session.Events.FetchForWriting<AlertSettings>(AlertSettings.IdFor(eshopId), ct);
        if (stream.Aggregate is not { WebhookUrl: not null, WebhookSecret: not null } settings)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "No operational webhook",
                detail: "The notification settings have no operational webhook URL, so there is no secret to rotate.");
        var secret = WebhookSecrets.New();
        var now = DateTimeOffset.UtcNow;
        var (current, previous, expiresAt) = secrets.Rotate(settings.Id, settings.WebhookSecret, secret, now);
        var rotated = new AlertWebhookSecretRotated(current, previous, expiresAt, now);
        stream.AppendOne(rotated);
        return TypedResults.Ok(new SecretResponse(secret, rotated.PreviousSecret is null ? null : rotated.PreviousExpiresAt));
    }
}

namespace Ellity.Webhooks.Subscribing;

/// <summary>A webhook's signing secret in clear, and until when the previous one still signs (after a rotation).</summary>
public sealed record SecretResponse(string Secret, DateTimeOffset? PreviousSecretExpiresAt);

public static class GetWebhookSecretEndpoint
{
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
}

using Microsoft.Extensions.Options;

namespace Ellity.Webhooks.Delivering;

/// <summary><see cref="Failed"/>: how many failed deliveries a recovery since <see cref="Since"/> would send again now.</summary>
public sealed record RecoverableResponse(Guid WebhookId, DateTimeOffset Since, int Failed);

/// <summary>
/// What "resend everything that failed since the problem began" would send, asked before it is: the admin page shows the
/// count for the shop owner to confirm.
/// </summary>
public static class CountRecoverableEndpoint
{
    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [WolverineGet("/api/eshops/{eshopId}/webhooks/{webhookId}/recover"), Tags("Deliveries")]
    public static async Task<Results<Ok<RecoverableResponse>, ProblemHttpResult>> Get(string eshopId, Guid webhookId,
        DateTimeOffset? since, IQuerySession session, IOptions<WebhooksOptions> options, CancellationToken ct)
    {
        if (await WebhookLookup.Load(session, eshopId, webhookId, ct) is null) return WebhookLookup.NotFound(webhookId);
        if (RecoverWebhookEndpoint.CheckSince(since, DateTimeOffset.UtcNow, options.Value) is { } problem)
            return TypedResults.Problem(problem);
        var failed = await RecoverWebhookEndpoint.Recoverable(session, eshopId, webhookId, since!.Value).CountAsync(ct);
        return TypedResults.Ok(new RecoverableResponse(webhookId, since.Value, failed));
    }
}

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Marten;
using Wolverine.Http;

namespace Ellity.Webhooks.Subscribing;

/// <summary>
/// Deleting a webhook is an event in its stream: its due attempts are no longer sent (their deliveries fail, saying
/// why), and its history stays readable.
/// </summary>
public static class DeleteWebhookEndpoint
{
    [WolverineDelete("/api/eshops/{eshopId}/webhooks/{webhookId}"), Tags("Webhooks"), EnableRateLimiting(WebhookRateLimits.Writes)]
    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string eshopId, Guid webhookId, IDocumentSession session, CancellationToken ct)
    {
        var stream = await WebhookLookup.FetchForWriting(session, eshopId, webhookId, ct);
        if (stream is null) return WebhookLookup.NotFound(webhookId);
        stream.AppendOne(new WebhookDeleted(DateTimeOffset.UtcNow));
        return TypedResults.NoContent();
    }
}

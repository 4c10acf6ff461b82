using Ellity.Webhooks.Triggers;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Wolverine.Http;

namespace Ellity.Webhooks.Subscribing;

public sealed record HeadersInput(Dictionary<string, string>? Headers);

/// <summary>Replaces a webhook's custom headers as a whole; an empty or missing map removes them.</summary>
public static class ChangeWebhookHeadersEndpoint
{
    [WolverinePut("/api/eshops/{eshopId}/webhooks/{webhookId}/headers"), Tags("Webhooks"), EnableRateLimiting(WebhookRateLimits.Writes)]
    public static async Task<Results<Ok<WebhookResponse>, ValidationProblem, ProblemHttpResult>> Put(
        string eshopId, Guid webhookId, HeadersInput? input, IDocumentSession session, WebhookHeaders headers, TriggerCatalog triggers, CancellationToken ct)
    {
        var stream = await WebhookLookup.FetchForWriting(session, eshopId, webhookId, ct);
        if (stream is null) return WebhookLookup.NotFound(webhookId);
        var errors = new Dictionary<string, string[]>();
        WebhookHeaders.Check(input?.Headers, errors);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var changed = headers.Protect(input?.Headers);
        stream.AppendOne(changed);
        return TypedResults.Ok(WebhookResponse.From(stream.Aggregate!.Apply(changed), triggers));
    }
}

namespace Ellity.Webhooks.Subscribing;

public sealed record HeadersInput(Dictionary<string, string>? Headers);

/// <summary>Replaces a webhook's custom headers as a whole; an empty or missing map removes them.</summary>
public static class ChangeWebhookHeadersEndpoint
{
    public static ProblemDetails Validate(Webhook? webhook, string eshopId, Guid webhookId, HeadersInput? input)
    {
        var found = WebhookLookup.Found(webhook, eshopId, webhookId);
        if (!ReferenceEquals(found, WolverineContinue.NoProblems)) return found;
        var errors = new Dictionary<string, string[]>();
        WebhookHeaders.Check(input?.Headers, errors);
        return errors.Count == 0 ? WolverineContinue.NoProblems : TypedResults.ValidationProblem(errors).ProblemDetails;
    }

    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [WolverinePut("/api/eshops/{eshopId}/webhooks/{webhookId}/headers"), Tags("Webhooks"), EnableRateLimiting(WebhookRateLimits.Writes)]
    public static (UpdatedWebhook, Events) Put(HeadersInput? input, [WriteAggregate(Required = false)] Webhook? webhook,
        WebhookHeaders headers) =>
        (new UpdatedWebhook(), [headers.Protect(input?.Headers)]);
}

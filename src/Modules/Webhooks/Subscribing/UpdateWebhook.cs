using Ellity.Webhooks.Triggers;
using Marten;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Http;

namespace Ellity.Webhooks.Subscribing;

public static class UpdateWebhookEndpoint
{
    /// <summary>Only what actually changed becomes an event, so the stream reads as a change log.</summary>
    public static IReadOnlyList<object> Decide(Webhook current, WebhookInput input, DateTimeOffset now)
    {
        var events = new List<object>();
        var name = input.Name!.Trim();
        var body = string.IsNullOrWhiteSpace(input.Body) ? null : input.Body;
        if (name != current.Name) events.Add(new WebhookRenamed(name));
        if (input.Trigger != current.Trigger) events.Add(new WebhookTriggerChanged(input.Trigger!));
        if (input.Url != current.Url) events.Add(new WebhookUrlChanged(input.Url!));
        if (body != current.Body) events.Add(new WebhookBodyChanged(body));
        if (!SameSchedule(input.RetrySchedule, current.RetrySchedule)) events.Add(new WebhookRetryScheduleChanged(input.RetrySchedule));
        if (input.Enabled is true && !current.Enabled) events.Add(new WebhookEnabled(current.Id, now));
        if (input.Enabled is false && current.Enabled) events.Add(new WebhookDisabled(now));
        return events;
    }

    private static bool SameSchedule(IReadOnlyList<int>? a, IReadOnlyList<int>? b) =>
        a is null ? b is null : b is not null && a.SequenceEqual(b);

    [WolverinePut("/api/eshops/{eshopId}/webhooks/{webhookId}"), Tags("Webhooks"), EnableRateLimiting(WebhookRateLimits.Writes)]
    public static async Task<Results<Ok<WebhookResponse>, ValidationProblem, ProblemHttpResult>> Put(
        string eshopId, Guid webhookId, WebhookInput? input, IDocumentSession session,
        IOptions<WebhooksOptions> options, TriggerCatalog triggers, CancellationToken ct)
    {
        input ??= WebhookInput.Empty;
        var stream = await WebhookLookup.FetchForWriting(session, eshopId, webhookId, ct);
        if (stream is null) return WebhookLookup.NotFound(webhookId);

        var definition = WebhookDefinition.Check(triggers, input, options.Value.RequireHttps);
        if (!definition.IsValid) return definition.ToProblem();

        var webhook = stream.Aggregate!;
        foreach (var e in Decide(webhook, input, DateTimeOffset.UtcNow))
        {
            stream.AppendOne(e);
            webhook = webhook.After(e);
        }
        return TypedResults.Ok(WebhookResponse.From(webhook, triggers, warnings: definition.Warnings));
    }
}

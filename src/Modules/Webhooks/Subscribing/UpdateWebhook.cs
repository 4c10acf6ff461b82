using Ellity.Webhooks.Conditions;
using Ellity.Webhooks.Triggers;
using Microsoft.Extensions.Options;

namespace Ellity.Webhooks.Subscribing;

/// <summary>Replaces a webhook's name, trigger, URL, body and retry schedule (and switches it when <c>enabled</c> is given).</summary>
public static class UpdateWebhookEndpoint
{
    public static ProblemDetails Validate(Webhook? webhook, string eshopId, Guid webhookId, WebhookInput? input,
        TriggerCatalog triggers, IOptions<WebhooksOptions> options)
    {
        var found = WebhookLookup.Found(webhook, eshopId, webhookId);
        if (!ReferenceEquals(found, WolverineContinue.NoProblems)) return found;
        var definition = WebhookDefinition.Check(triggers, input ?? WebhookInput.Empty, options.Value.RequireHttps);
        return definition.IsValid ? WolverineContinue.NoProblems : definition.ToProblem().ProblemDetails;
    }

    /// <summary>Only what actually changed becomes an event, so the stream reads as a change log.</summary>
    public static Events Decide(Webhook current, WebhookInput input, WebhookDefinition? checkedInput, DateTimeOffset now)
    {
        var conditions = checkedInput?.Conditions;
        var events = new Events();
        var name = input.Name!.Trim();
        var body = string.IsNullOrWhiteSpace(input.Body) ? null : input.Body;
        if (name != current.Name) events.Add(new WebhookRenamed(name));
        if (input.Trigger != current.Trigger) events.Add(new WebhookTriggerChanged(input.Trigger!));
        if (input.Url != current.Url) events.Add(new WebhookUrlChanged(input.Url!));
        if (body != current.Body) events.Add(new WebhookBodyChanged(body));
        if (!(conditions ?? []).SequenceEqual(current.Conditions ?? [])) events.Add(new WebhookConditionsChanged(conditions));
        if (checkedInput?.RateLimit != current.RateLimit) events.Add(new WebhookRateLimitChanged(checkedInput?.RateLimit));
        if (checkedInput?.Ordering != current.Ordering) events.Add(new WebhookOrderingChanged(checkedInput?.Ordering));
        if (!SameSchedule(input.RetrySchedule, current.RetrySchedule)) events.Add(new WebhookRetryScheduleChanged(input.RetrySchedule));
        if (input.Enabled is true && !current.Enabled) events.Add(new WebhookEnabled(current.Id, now));
        if (input.Enabled is false && current.Enabled) events.Add(new WebhookDisabled(now));
        return events;
    }

    private static bool SameSchedule(IReadOnlyList<int>? a, IReadOnlyList<int>? b) =>
        a is null ? b is null : b is not null && a.SequenceEqual(b);

    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [WolverinePut("/api/eshops/{eshopId}/webhooks/{webhookId}"), Tags("Webhooks"), EnableRateLimiting(WebhookRateLimits.Writes)]
    public static (UpdatedWebhook, Events) Put(WebhookInput? input, [WriteAggregate(Required = false)] Webhook? webhook,
        TriggerCatalog triggers, IOptions<WebhooksOptions> options)
    {
        input ??= WebhookInput.Empty;
        var definition = WebhookDefinition.Check(triggers, input, options.Value.RequireHttps);
        return (new UpdatedWebhook(), Decide(webhook!, input, definition, DateTimeOffset.UtcNow));
    }
}

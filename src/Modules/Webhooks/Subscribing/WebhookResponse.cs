using Ellity.Webhooks.Conditions;
using Ellity.Webhooks.Triggers;

namespace Ellity.Webhooks.Subscribing;

/// <summary>A webhook as the API answers it: its secret and header values are never shown.</summary>
public sealed record WebhookResponse(
    Guid Id, string EshopId, string Name, string Trigger, string Url, string? Body, string Method, bool Enabled,
    DateTimeOffset CreatedAt, IReadOnlyList<int>? RetrySchedule, string? DisabledReason,
    IReadOnlyDictionary<string, string> Headers, WebhookHealthResponse Health, IReadOnlyList<VariableWarning> Warnings,
    IReadOnlyList<Condition> Conditions, DeliveryRateLimit? RateLimit, string Ordering, AutoDisabling? AutoDisabled)
{
    /// <summary>The webhook with its <paramref name="health"/>, and when <paramref name="policy"/> would switch it off for it.</summary>
    public static WebhookResponse From(Webhook w, TriggerCatalog triggers, WebhookHealth? health = null, AutoDisablePolicy? policy = null,
        IReadOnlyList<VariableWarning>? warnings = null) =>
        new(w.Id, w.EshopId, w.Name, w.Trigger, w.Url, w.Body, w.Method, w.Enabled, w.CreatedAt,
            w.RetrySchedule, w.DisabledReason, WebhookHeaders.Masked(w.HeaderNames ?? []),
            WebhookHealthResponse.From(health, policy?.DisablesAt(w, health)),
            warnings ?? Warn(triggers, w), w.Conditions ?? [], w.RateLimit, w.Ordering ?? WebhookOrdering.None, w.AutoDisabled);

    /// <summary>What the stored webhook's templates and conditions use that its trigger does not carry.</summary>
    private static List<VariableWarning> Warn(TriggerCatalog triggers, Webhook w)
    {
        var definition = WebhookDefinition.Check(triggers, w.Name, w.Trigger, w.Url, w.Body);
        definition.CheckConditions(w.Conditions);
        return definition.Warnings;
    }
}

/// <summary>
/// Whether the receiver works: <c>failing</c> is true while attempts keep failing since <c>failingSince</c>.
/// <c>lastFailureKind</c> and <c>explanation</c> (in the request's language): why the last failed attempt failed.
/// <c>problemSince</c>: when the latest run of failures began, kept after it ends; what failed since then is what a
/// recovery sends again. <c>disablesAt</c>: while an enabled webhook fails, when it will be switched off unless an attempt
/// succeeds before.
/// </summary>
public sealed record WebhookHealthResponse(
    bool Failing, DateTimeOffset? FailingSince, int ConsecutiveFailures, string? LastError,
    DateTimeOffset? LastAttemptAt, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastFailureAt,
    string? LastFailureKind, FailureExplanation? Explanation, DateTimeOffset? ProblemSince, DateTimeOffset? DisablesAt)
{
    public static WebhookHealthResponse From(WebhookHealth? h, DateTimeOffset? disablesAt = null)
    {
        if (h is null) return new(false, null, 0, null, null, null, null, null, null, null, null);
        // Health folded before kinds were recorded has only the status code.
        var kind = h.LastFailureKind ?? (h.LastFailureStatusCode is { } status ? FailureKinds.FromStatus(status)
            : h.LastError is null ? null : FailureKinds.Network);
        return new(h.FailingSince is not null, h.FailingSince, h.ConsecutiveFailures, h.LastError,
            h.LastAttemptAt, h.LastSuccessAt, h.LastFailureAt, kind,
            kind is null ? null : FailureKinds.Explain(kind, RequestLanguage.Current),
            h.ProblemSince ?? h.FailingSince, disablesAt);
    }
}

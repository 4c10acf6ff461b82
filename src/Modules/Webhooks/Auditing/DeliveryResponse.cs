namespace Ellity.Webhooks.Auditing;

/// <summary>
/// <c>failureKind</c> and <c>explanation</c> (what happened and what to do, in plain words, in the request's language:
/// Czech for <c>Accept-Language: cs</c>, English otherwise) are set on failed attempts.
/// </summary>
public sealed record AttemptResponse(
    int Number, DateTimeOffset StartedAt, long DurationMs, int? StatusCode, string? Error,
    string? ResponseBody, bool ResponseBodyTruncated, string Trigger, string? FailureKind, FailureExplanation? Explanation);

/// <summary>
/// <c>failureKind</c> and <c>explanation</c>: why the latest attempt failed, while the delivery is failed or still retrying;
/// <c>circuitOpen</c> while its attempts are put off because the destination's circuit is open. <c>resyncJobId</c>: the resync
/// that sent the customer's state, for a delivery that stands for no change.
/// </summary>
public sealed record DeliveryResponse(
    Guid Id, Guid WebhookId, string Trigger, Guid SourceEventId, DateTimeOffset SourceOccurredAt,
    string Status, DateTimeOffset ScheduledAt, DateTimeOffset? CompletedAt, DateTimeOffset? NextAttemptAt,
    DeliveryRequest Request, IReadOnlyList<AttemptResponse> Attempts, DateTimeOffset? ContentErasedAt, bool Test,
    string? FailureReason, Guid? WaitingFor, string? FailureKind, FailureExplanation? Explanation, Guid? ResyncJobId)
{
    public static DeliveryResponse From(Delivery d)
    {
        var language = RequestLanguage.Current;
        var kind = d.Status == DeliveryStatus.Pending && d.Deferrals > 0 ? FailureKinds.CircuitOpen
            : d.Status == DeliveryStatus.Succeeded || d.Attempts.Count == 0 ? null
            : FailureKinds.Of(d.Attempts[^1]);
        return new(
            d.Id, d.WebhookId, d.Trigger, d.SourceEventId, d.SourceOccurredAt,
            d.Status.ToString().ToLowerInvariant(), d.ScheduledAt, d.CompletedAt,
            d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : null, d.Request,
            d.Attempts.Select(a => Attempt(a, language)).ToList(),
            d.ContentErasedAt, d.Test, d.FailureReason, d.HeldBehind, kind, kind is null ? null : FailureKinds.Explain(kind, language),
            d.ResyncJobId);
    }

    private static AttemptResponse Attempt(DeliveryAttempted a, string language)
    {
        var kind = FailureKinds.Of(a);
        return new(a.Number, a.StartedAt, a.DurationMs, a.StatusCode, a.Error, a.ResponseBody, a.ResponseBodyTruncated,
            a.Manual ? "manual" : "scheduled", kind, kind is null ? null : FailureKinds.Explain(kind, language));
    }
}

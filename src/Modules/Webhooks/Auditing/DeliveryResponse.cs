namespace Ellity.Webhooks.Auditing;

public sealed record AttemptResponse(
    int Number, DateTimeOffset StartedAt, long DurationMs, int? StatusCode, string? Error,
    string? ResponseBody, bool ResponseBodyTruncated, string Trigger);

public sealed record DeliveryResponse(
    Guid Id, Guid WebhookId, string Trigger, Guid SourceEventId, DateTimeOffset SourceOccurredAt,
    string Status, DateTimeOffset ScheduledAt, DateTimeOffset? CompletedAt, DateTimeOffset? NextAttemptAt,
    DeliveryRequest Request, IReadOnlyList<AttemptResponse> Attempts, DateTimeOffset? ContentErasedAt, bool Test,
    string? FailureReason, Guid? WaitingFor)
{
    public static DeliveryResponse From(Delivery d) => new(
        d.Id, d.WebhookId, d.Trigger, d.SourceEventId, d.SourceOccurredAt,
        d.Status.ToString().ToLowerInvariant(), d.ScheduledAt, d.CompletedAt,
        d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : null, d.Request,
        d.Attempts.Select(a => new AttemptResponse(
            a.Number, a.StartedAt, a.DurationMs, a.StatusCode, a.Error, a.ResponseBody, a.ResponseBodyTruncated,
            a.Manual ? "manual" : "scheduled")).ToList(), d.ContentErasedAt, d.Test, d.FailureReason, d.HeldBehind);
}

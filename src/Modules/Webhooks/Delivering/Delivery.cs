using Ellity.Webhooks.Dispatching;

namespace Ellity.Webhooks.Delivering;

public sealed record DeliveryScheduled(
    Guid DeliveryId, string EshopId, Guid WebhookId, string Trigger, Guid SourceEventId,
    DateTimeOffset SourceOccurredAt, DeliveryRequest Request, DateTimeOffset ScheduledAt);

/// <summary>One HTTP attempt: a status code when the receiver answered, an error when it did not.</summary>
public sealed record DeliveryAttempted(
    int Number, DateTimeOffset StartedAt, long DurationMs, int? StatusCode, string? Error,
    string? ResponseBody, bool ResponseBodyTruncated)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}

public sealed record DeliverySucceeded(DateTimeOffset At, int Attempts);

public sealed record DeliveryFailed(DateTimeOffset At, int Attempts, string Reason);

public enum DeliveryStatus { Pending, Succeeded, Failed }

/// <summary>A delivery folded from its stream; also the read model of the delivery log.</summary>
public sealed partial record Delivery(
    Guid Id, string EshopId, Guid WebhookId, string Trigger, Guid SourceEventId, DateTimeOffset SourceOccurredAt,
    DeliveryRequest Request, DateTimeOffset ScheduledAt, DeliveryStatus Status,
    IReadOnlyList<DeliveryAttempted> Attempts, DateTimeOffset? CompletedAt)
{
    public static Delivery Create(DeliveryScheduled e) =>
        new(e.DeliveryId, e.EshopId, e.WebhookId, e.Trigger, e.SourceEventId, e.SourceOccurredAt, e.Request,
            e.ScheduledAt, DeliveryStatus.Pending, [], null);

    public Delivery Apply(DeliveryAttempted e) => this with { Attempts = [.. Attempts, e] };

    public Delivery Apply(DeliverySucceeded e) => this with { Status = DeliveryStatus.Succeeded, CompletedAt = e.At };

    public Delivery Apply(DeliveryFailed e) => this with { Status = DeliveryStatus.Failed, CompletedAt = e.At };
}

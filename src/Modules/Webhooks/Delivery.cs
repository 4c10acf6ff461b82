using Ellity.Webhooks.Erasing;

namespace Ellity.Webhooks;

/// <summary>
/// A delivery is planned: what will be sent, where, and the retry schedule (seconds between
/// attempts) fixed for its whole life, so a restart or a later config change cannot alter it.
/// <see cref="Test"/>: sent on request with the trigger's sample data, not caused by an event.
/// <see cref="TraceParent"/>: the trace of the request that caused it, which every attempt continues.
/// <see cref="ResyncJobId"/>: sent by a resync (see <see cref="ResyncJob"/>), the customer's state rather than a change.
/// </summary>
public sealed record DeliveryScheduled(
    Guid DeliveryId, string EshopId, Guid WebhookId, string Trigger, Guid SourceEventId,
    DateTimeOffset SourceOccurredAt, DeliveryRequest Request, DateTimeOffset ScheduledAt,
    IReadOnlyList<int>? RetrySchedule = null, Guid? CustomerId = null, bool Test = false, string? TraceParent = null,
    Guid? ResyncJobId = null);

/// <summary>
/// One HTTP attempt: a status code when the receiver answered, an error when it did not. <see cref="FailureKind"/>: why it
/// failed, one of <see cref="FailureKinds"/> (attempts recorded before kinds were lack it: see <see cref="FailureKinds.Of"/>).
/// </summary>
public sealed record DeliveryAttempted(
    int Number, DateTimeOffset StartedAt, long DurationMs, int? StatusCode, string? Error,
    string? ResponseBody, bool ResponseBodyTruncated, Guid WebhookId = default, bool Manual = false,
    int? RetryAfterSeconds = null, string? FailureKind = null)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}

/// <summary>The next attempt is due at <see cref="At"/>; a durable scheduled message will make it.</summary>
public sealed record DeliveryRetryScheduled(int NextAttempt, DateTimeOffset At);

/// <summary>Someone asked for the delivery to be sent again now (the next attempt is manual).</summary>
public sealed record DeliveryRedeliveryRequested(int NextAttempt, DateTimeOffset At);

public sealed record DeliverySucceeded(DateTimeOffset At, int Attempts, Guid WebhookId = default);

/// <summary><see cref="Unsendable"/>: the request could not be built (too large, say), so it can never be sent, not even again.</summary>
public sealed record DeliveryFailed(DateTimeOffset At, int Attempts, string Reason, Guid WebhookId = default, bool Unsendable = false)
{
    /// <summary>How a delivery that cannot be sent ends, at once, without an attempt.</summary>
    public static DeliveryFailed Unsent(DeliveryScheduled scheduled, string reason) =>
        new(scheduled.ScheduledAt, 0, reason, scheduled.WebhookId, Unsendable: true);
}

/// <summary>
/// Attempt <see cref="Attempt"/> was not made at <see cref="At"/>: the destination's circuit was open. It is made at
/// <see cref="RetryAt"/> instead, without using up one of the delivery's attempts.
/// </summary>
public sealed record DeliveryAttemptDeferred(int Attempt, DateTimeOffset At, DateTimeOffset RetryAt, string Reason);

/// <summary>
/// The request and response bodies (and the URL's path and query, which can carry personal data)
/// were erased from this delivery's events, because they outlived the retention period or the
/// customer's personal data was erased. When, where and with what outcome stay.
/// </summary>
public sealed record DeliveryContentErased(DateTimeOffset At, string Reason);

/// <summary>
/// The delivery waits for <see cref="Behind"/>, an earlier one of its webhook for the same customer, to end: its webhook
/// delivers in order per customer.
/// </summary>
public sealed record DeliveryHeld(Guid Behind, DateTimeOffset At);

/// <summary>The delivery it waited for ended (<see cref="After"/>, when known): it is attempted now.</summary>
public sealed record DeliveryReleased(DateTimeOffset At, Guid? After = null);

public enum DeliveryStatus { Pending, Succeeded, Failed }

/// <summary>
/// A delivery folded from its stream; also the read model of the delivery log. <see cref="FailureReason"/>:
/// why it failed, set only while it is failed (a redelivery clears it). <see cref="Deferrals"/>: attempts put off in a
/// row because the destination's circuit was open. <see cref="HeldBehind"/>: the earlier delivery it waits for, while it is held.
/// </summary>
public sealed partial record Delivery(
    Guid Id, string EshopId, Guid WebhookId, string Trigger, Guid SourceEventId, DateTimeOffset SourceOccurredAt,
    DeliveryRequest Request, DateTimeOffset ScheduledAt, DeliveryStatus Status,
    IReadOnlyList<DeliveryAttempted> Attempts, DateTimeOffset? CompletedAt,
    IReadOnlyList<int> RetrySchedule, int NextAttempt, DateTimeOffset? NextAttemptAt, bool NextAttemptManual,
    int? LastStatusCode = null, Guid? CustomerId = null, DateTimeOffset? ContentErasedAt = null, bool Test = false,
    string? TraceParent = null, string? FailureReason = null, int Deferrals = 0, bool Unsendable = false, Guid? HeldBehind = null,
    Guid? ResyncJobId = null)
{
    public static Delivery Create(DeliveryScheduled e) =>
        new(e.DeliveryId, e.EshopId, e.WebhookId, e.Trigger, e.SourceEventId, e.SourceOccurredAt, e.Request,
            e.ScheduledAt, DeliveryStatus.Pending, [], null, e.RetrySchedule ?? [], 1, e.ScheduledAt, false,
            CustomerId: e.CustomerId, Test: e.Test, TraceParent: e.TraceParent, ResyncJobId: e.ResyncJobId);

    public Delivery Apply(DeliveryAttempted e) => this with
    {
        Attempts = [.. Attempts, e], NextAttemptAt = null, NextAttemptManual = false, LastStatusCode = e.StatusCode, Deferrals = 0,
    };

    public Delivery Apply(DeliveryAttemptDeferred e) => this with { NextAttemptAt = e.RetryAt, Deferrals = Deferrals + 1 };

    public Delivery Apply(DeliveryHeld e) => this with { HeldBehind = e.Behind, NextAttemptAt = null };

    public Delivery Apply(DeliveryReleased e) => this with { HeldBehind = null, NextAttemptAt = e.At };

    public Delivery Apply(DeliveryRetryScheduled e) => this with { NextAttempt = e.NextAttempt, NextAttemptAt = e.At };

    public Delivery Apply(DeliveryRedeliveryRequested e) => this with
    {
        Status = DeliveryStatus.Pending, CompletedAt = null, FailureReason = null,
        NextAttempt = e.NextAttempt, NextAttemptAt = e.At, NextAttemptManual = true,
    };

    public Delivery Apply(DeliverySucceeded e) => this with { Status = DeliveryStatus.Succeeded, CompletedAt = e.At, HeldBehind = null };

    public Delivery Apply(DeliveryFailed e) => this with
    {
        Status = DeliveryStatus.Failed, CompletedAt = e.At, FailureReason = e.Reason, Unsendable = e.Unsendable, HeldBehind = null,
    };

    /// <summary>The same erasure the masking rules apply to the stored events, so a rebuild gives the same document.</summary>
    public Delivery Apply(DeliveryContentErased e) => this with
    {
        Request = DeliveryContent.Erase(Request),
        Attempts = [.. Attempts.Select(DeliveryContent.Erase)],
        ContentErasedAt = e.At,
    };

    /// <summary>How many attempts so far came from the retry schedule rather than a manual redelivery.</summary>
    public int ScheduledAttempts => Attempts.Count(a => !a.Manual);
}

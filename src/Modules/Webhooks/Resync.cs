using Ellity.Webhooks.Dispatching;

namespace Ellity.Webhooks;

/// <summary>
/// A resync of a webhook started: every customer of the e-shop (<see cref="OnlyMatching"/>: only those meeting the
/// webhook's conditions) is sent with their values as of <see cref="At"/>. <see cref="Total"/>: how many customers the
/// e-shop had then.
/// </summary>
public sealed record ResyncStarted(Guid JobId, string EshopId, Guid WebhookId, DateTimeOffset At, bool OnlyMatching, int Total);

/// <summary>
/// Page <see cref="Page"/> of customers (ids up to <see cref="After"/>) went through: <see cref="Sent"/> deliveries were
/// queued, scheduled from <see cref="FirstScheduledAt"/> on, <see cref="Skipped"/> customers did not meet the conditions,
/// <see cref="Customers"/> in all.
/// </summary>
public sealed record ResyncPageSent(DateTimeOffset At, int Page, Guid? After, int Customers, int Sent, int Skipped,
    DateTimeOffset? FirstScheduledAt = null);

/// <summary>Every page went through.</summary>
public sealed record ResyncCompleted(DateTimeOffset At);

/// <summary>
/// The resync stopped before its end: someone cancelled it (<see cref="ByUser"/>), or its webhook stopped sending
/// (<see cref="Reason"/>).
/// </summary>
public sealed record ResyncCancelled(DateTimeOffset At, string Reason, bool ByUser = false);

/// <summary>A resync of the webhook started (see <see cref="ResyncJob"/>): until it ends, no other may.</summary>
public sealed record WebhookResyncStarted(Guid JobId, bool OnlyMatching, DateTimeOffset At);

/// <summary>The webhook's resync ended, completed or cancelled.</summary>
public sealed record WebhookResyncEnded(Guid JobId, string Status, DateTimeOffset At)
{
    /// <summary>The status as the API spells it (<c>completed</c>, <c>cancelled</c>).</summary>
    public static WebhookResyncEnded Of(Guid jobId, ResyncStatus status, DateTimeOffset at) => new(jobId, status.ToString().ToLowerInvariant(), at);
}

public enum ResyncStatus { Running, Completed, Cancelled }

/// <summary>
/// A resync: sending every customer's current state through one webhook, a page at a time, each an ordinary audited
/// delivery marked with the job. Folded from its own stream; also the read model the progress is shown from.
/// <see cref="Pages"/> and <see cref="After"/>: how far it got, so a page handled twice is sent once.
/// <see cref="LastPageSent"/> and <see cref="LastPageScheduledAt"/>: the latest page's deliveries, which the next page waits for.
/// </summary>
public sealed record ResyncJob(
    Guid Id, string EshopId, Guid WebhookId, DateTimeOffset StartedAt, bool OnlyMatching, int Total, ResyncStatus Status,
    int Pages, Guid? After, int Processed, int Sent, int Skipped, DateTimeOffset? EndedAt, string? CancelReason,
    bool CancelledByUser = false, int LastPageSent = 0, DateTimeOffset? LastPageScheduledAt = null)
{
    /// <summary>The header every resync delivery carries, naming its job, so a receiver can tell it from a change.</summary>
    public const string Header = "ellity-resync";

    public static ResyncJob Create(ResyncStarted e) =>
        new(e.JobId, e.EshopId, e.WebhookId, e.At, e.OnlyMatching, e.Total, ResyncStatus.Running, 0, null, 0, 0, 0, null, null);

    public ResyncJob Apply(ResyncPageSent e) => this with
    {
        Pages = e.Page, After = e.After, Processed = Processed + e.Customers, Sent = Sent + e.Sent, Skipped = Skipped + e.Skipped,
        LastPageSent = e.Sent, LastPageScheduledAt = e.FirstScheduledAt,
    };

    public ResyncJob Apply(ResyncCompleted e) => this with { Status = ResyncStatus.Completed, EndedAt = e.At };

    public ResyncJob Apply(ResyncCancelled e) => this with
    {
        Status = ResyncStatus.Cancelled, EndedAt = e.At, CancelReason = e.Reason, CancelledByUser = e.ByUser,
    };

    /// <summary>
    /// The id of the event a customer's delivery stands for: one per job and customer, so a page sent again finds its
    /// deliveries already planned (<see cref="DeliveryIds"/>), and the next job sends everyone again.
    /// </summary>
    public Guid EventIdFor(Guid customerId) => DeliveryIds.For(Id, customerId);

    /// <summary>Why the job cannot go on with <paramref name="webhook"/>, or null while it can.</summary>
    public static string? Stopped(Webhook? webhook) => webhook switch
    {
        null or { Deleted: true } => "The webhook was deleted.",
        { Suspended: true } => "The e-shop removed the Webhooks feature.",
        { Enabled: false } => "The webhook was switched off.",
        _ => null,
    };
}

using JasperFx.Events;
using Marten.Events.Projections;

namespace Ellity.Webhooks;

/// <summary>
/// Whether a webhook's receiver is working, folded from its delivery attempts: how long and how
/// often it has been failing. Enabling the webhook again starts afresh.
/// </summary>
public sealed class WebhookHealth
{
    public Guid Id { get; set; }
    public DateTimeOffset? FailingSince { get; set; }
    public int ConsecutiveFailures { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public DateTimeOffset? LastSuccessAt { get; set; }
    public DateTimeOffset? LastFailureAt { get; set; }

    /// <summary>The status code the last failed attempt got, if it got an answer.</summary>
    public int? LastFailureStatusCode { get; set; }

    /// <summary>Why the last failed attempt failed, one of <see cref="FailureKinds"/>.</summary>
    public string? LastFailureKind { get; set; }

    /// <summary>
    /// When the latest run of failures began. Unlike <see cref="FailingSince"/> it stays once attempts succeed again or the
    /// webhook is switched on again: what failed since then is what a recovery sends again.
    /// </summary>
    public DateTimeOffset? ProblemSince { get; set; }

    /// <summary>When the latest run of failures ended with a success.</summary>
    public DateTimeOffset? RecoveredAt { get; set; }
}

/// <summary>A webhook's attempts failed (see <see cref="WebhookHealthProjection"/>): whether that switches it off is decided on its own.</summary>
public sealed record WebhookFailing(Guid WebhookId);

/// <summary>A success ended a run of failures of the webhook: whether the owner hears it works again is decided on its own.</summary>
public sealed record WebhookRecovered(Guid WebhookId);

/// <summary>
/// Runs asynchronously so concurrent attempts of one webhook are counted one after another. A page of events that leaves a
/// webhook failing tells <see cref="WebhookFailing"/>, once per webhook and page, never once per attempt; one whose success
/// ended a run of failures tells <see cref="WebhookRecovered"/>.
/// </summary>
public sealed partial class WebhookHealthProjection : MultiStreamProjection<WebhookHealth, Guid>
{
    public WebhookHealthProjection()
    {
        Identity<DeliveryAttempted>(e => e.WebhookId);
        Identity<WebhookEnabled>(e => e.WebhookId);
    }

    /// <summary>
    /// Two writers commit attempts, so a webhook's attempts arrive here in roughly, not exactly, the order they started:
    /// an attempt that started before the latest one of the other outcome does not turn the state back.
    /// </summary>
    public void Apply(WebhookHealth health, DeliveryAttempted e)
    {
        health.Id = e.WebhookId;
        if (health.LastAttemptAt is null || e.StartedAt > health.LastAttemptAt) health.LastAttemptAt = e.StartedAt;
        if (e.Succeeded)
        {
            if (health.LastSuccessAt is null || e.StartedAt > health.LastSuccessAt) health.LastSuccessAt = e.StartedAt;
            if (health.FailingSince is not null && e.StartedAt < health.LastFailureAt) return;
            if (health.FailingSince is not null) health.RecoveredAt = e.StartedAt;
            health.FailingSince = null;
            health.ConsecutiveFailures = 0;
            return;
        }
        if (health.LastFailureAt is null || e.StartedAt >= health.LastFailureAt)
        {
            health.LastFailureAt = e.StartedAt;
            health.LastError = e.Error;
            health.LastFailureStatusCode = e.StatusCode;
            health.LastFailureKind = FailureKinds.Of(e);
        }
        if (health.FailingSince is null && e.StartedAt < health.LastSuccessAt) return;
        // The run began with its earliest failed attempt, so a recovery since then finds every delivery that failed in it.
        if (health.FailingSince is null || e.StartedAt < health.FailingSince)
        {
            health.FailingSince = e.StartedAt;
            health.ProblemSince = e.StartedAt;
        }
        health.ConsecutiveFailures++;
    }

    public void Apply(WebhookHealth health, WebhookEnabled e)
    {
        health.Id = e.WebhookId;
        health.FailingSince = null;
        health.ConsecutiveFailures = 0;
        health.LastFailureStatusCode = null;
    }

    public override ValueTask RaiseSideEffects(IDocumentOperations operations, IEventSlice<WebhookHealth> slice)
    {
        if (slice.Snapshot is { FailingSince: not null } health && slice.Events().Any(e => e.Data is DeliveryAttempted { Succeeded: false }))
            slice.PublishMessage(new WebhookFailing(health.Id));
        else if (slice.Snapshot is { FailingSince: null, RecoveredAt: { } recovered } ended
                 && slice.Events().Any(e => e.Data is DeliveryAttempted { Succeeded: true } a && a.StartedAt == recovered))
            slice.PublishMessage(new WebhookRecovered(ended.Id));
        return ValueTask.CompletedTask;
    }
}

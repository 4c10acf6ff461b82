using JasperFx.Events;

namespace Ellity.Webhooks.Auditing;

/// <summary>One change to a webhook: what changed (<c>data</c>), when, and who made it.</summary>
public sealed record WebhookChange(long Version, DateTimeOffset At, string Change, string Actor, object Data);

/// <summary>
/// A webhook's configuration history, read from its event stream. Deleted webhooks keep theirs.
/// Secrets and custom header values never appear: only that they changed.
/// </summary>
public static class GetWebhookHistoryEndpoint
{
    /// <summary>Changes the system made on its own (a receiver answering 410, a webhook failing too long) have no API key behind them.</summary>
    public const string SystemActor = "system";

    [WolverineGet("/api/eshops/{eshopId}/webhooks/{webhookId}/history"), Tags("Auditing"), KeptWithoutWebhooksFeature]
    public static async Task<Results<Ok<IReadOnlyList<WebhookChange>>, ProblemHttpResult>> Get(
        string eshopId, Guid webhookId, IQuerySession session, CancellationToken ct)
    {
        if (await WebhookLookup.LoadForAudit(session, eshopId, webhookId, ct) is null) return WebhookLookup.NotFound(webhookId);
        var events = await session.Events.FetchStreamAsync(webhookId, token: ct);
        return TypedResults.Ok<IReadOnlyList<WebhookChange>>(events.Select(Describe).ToList());
    }

    public static WebhookChange Describe(IEvent e)
    {
        var (change, data) = e.Data switch
        {
            WebhookCreated c => ("created", (object)new
            {
                c.Name, c.Trigger, c.Url, c.Body, c.Enabled, c.RetrySchedule, Headers = WebhookHeaders.Masked(c.HeaderNames ?? []),
                Conditions = c.Conditions ?? [], c.RateLimit, Ordering = c.Ordering ?? WebhookOrdering.None,
            }),
            WebhookRenamed c => ("renamed", new { c.Name }),
            WebhookTriggerChanged c => ("trigger-changed", new { c.Trigger }),
            WebhookUrlChanged c => ("url-changed", new { c.Url }),
            WebhookBodyChanged c => ("body-changed", new { c.Body }),
            WebhookConditionsChanged c => ("conditions-changed", new { Conditions = c.Conditions ?? [] }),
            WebhookRateLimitChanged c => ("rate-limit-changed", new { c.RateLimit }),
            WebhookOrderingChanged c => ("ordering-changed", new { Ordering = c.Ordering ?? WebhookOrdering.None }),
            WebhookRetryScheduleChanged c => ("retry-schedule-changed", new { c.RetrySchedule }),
            WebhookHeadersChanged c => ("headers-changed", new { Headers = WebhookHeaders.Masked(c.Names) }),
            WebhookSecretRotated c => ("secret-rotated", new { PreviousSecretValidUntil = c.PreviousExpiresAt }),
            WebhookEnabled => ("enabled", new { }),
            WebhookDisabled => ("disabled", new { }),
            WebhookAutoDisabled c => ("auto-disabled", new { c.Reason, AutoDisabling.Of(c).Cause }),
            WebhookSuspended c => ("suspended", new { c.Reason }),
            WebhookResumed => ("resumed", new { }),
            WebhookDeleted => ("deleted", new { }),
            WebhookRecoveryStarted c => ("recovery-started", new { c.Since }),
            WebhookRecoveryFinished c => ("recovery-finished", new { c.Redelivered, c.Error }),
            WebhookAlerted c => ("alert-sent", new { c.Alert, c.FailingSince, c.Reason, c.Channels }),
            WebhookResyncStarted c => ("resync-started", new { c.JobId, c.OnlyMatching }),
            WebhookResyncEnded c => ("resync-ended", new { c.JobId, c.Status }),
            _ => (e.EventTypeName, new { }),
        };
        var actor = e.Data is WebhookAutoDisabled or WebhookRecoveryFinished or WebhookAlerted ? SystemActor : e.UserName ?? SystemActor;
        return new WebhookChange(e.Version, e.Timestamp, change, actor, data);
    }
}

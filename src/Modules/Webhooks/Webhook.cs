using Ellity.Webhooks.Conditions;
using Ellity.Webhooks.Templating;

namespace Ellity.Webhooks;

/// <summary>
/// A new webhook. <see cref="Secret"/> is its signing secret protected with Data Protection (in clear,
/// <c>whsec_...</c>, in streams written before secrets were encrypted).
/// </summary>
public sealed record WebhookCreated(
    Guid WebhookId, string EshopId, string Name, string Trigger, string Url, string? Body, bool Enabled,
    DateTimeOffset At, IReadOnlyList<int>? RetrySchedule = null, string? Secret = null,
    string? ProtectedHeaders = null, IReadOnlyList<string>? HeaderNames = null, IReadOnlyList<Condition>? Conditions = null,
    DeliveryRateLimit? RateLimit = null, string? Ordering = null);

public sealed record WebhookRenamed(string Name);

public sealed record WebhookTriggerChanged(string Trigger);

public sealed record WebhookUrlChanged(string Url);

public sealed record WebhookBodyChanged(string? Body);

/// <summary>In which order the webhook's deliveries go (see <see cref="WebhookOrdering"/>); null is the default, unordered.</summary>
public sealed record WebhookOrderingChanged(string? Ordering);

/// <summary>The most requests the webhook may get per second or minute; null for no limit.</summary>
public sealed record WebhookRateLimitChanged(DeliveryRateLimit? RateLimit);

/// <summary>The conditions an event must meet to be sent; null sends every event of the trigger.</summary>
public sealed record WebhookConditionsChanged(IReadOnlyList<Condition>? Conditions);

/// <summary>Seconds between retries; null returns the webhook to the global schedule.</summary>
public sealed record WebhookRetryScheduleChanged(IReadOnlyList<int>? RetrySchedule);

public sealed record WebhookEnabled(Guid WebhookId, DateTimeOffset At);

public sealed record WebhookDisabled(DateTimeOffset At);

public sealed record WebhookDeleted(DateTimeOffset At);

/// <summary>
/// A new signing secret; the previous one keeps signing too until <see cref="PreviousExpiresAt"/>. Both are protected
/// like <see cref="WebhookCreated.Secret"/> (in clear in streams written before secrets were encrypted).
/// </summary>
public sealed record WebhookSecretRotated(string Secret, string? PreviousSecret, DateTimeOffset PreviousExpiresAt);

/// <summary>The e-shop removed the Webhooks feature: the webhook sends nothing, whatever its switch, until it is added again.</summary>
public sealed record WebhookSuspended(DateTimeOffset At, string Reason);

/// <summary>The e-shop added the Webhooks feature again: the webhook sends what happens from <see cref="At"/> on, if it is on.</summary>
public sealed record WebhookResumed(DateTimeOffset At);

/// <summary>
/// The system switched the webhook off: its receiver said 410 Gone, or it kept failing too long (one of
/// <see cref="AutoDisableCauses"/>; <see cref="FailingSince"/> is the run of failures). <see cref="Reason"/> says it in English;
/// events written before the cause was recorded have only that.
/// </summary>
public sealed record WebhookAutoDisabled(Guid WebhookId, DateTimeOffset At, string Reason, string? Cause = null,
    DateTimeOffset? FailingSince = null);

/// <summary>Why the system switched a webhook off, as the API names it, so a page can say it in the owner's language.</summary>
public static class AutoDisableCauses
{
    public const string ReceiverGone = "receiverGone";
    public const string FailedTooLong = "failedTooLong";
}

/// <summary>The system switched the webhook off at <see cref="At"/> for <see cref="Cause"/> (<see cref="AutoDisableCauses"/>).</summary>
public sealed record AutoDisabling(string Cause, DateTimeOffset At, DateTimeOffset? FailingSince)
{
    public static AutoDisabling Of(WebhookAutoDisabled e) =>
        new(e.Cause ?? (e.Reason == Delivering.DisableFailingWebhookHandler.Gone ? AutoDisableCauses.ReceiverGone : AutoDisableCauses.FailedTooLong),
            e.At, e.FailingSince);
}

/// <summary>The failed deliveries scheduled or failed since <see cref="Since"/> are being redelivered (see RecoverWebhook).</summary>
public sealed record WebhookRecoveryStarted(DateTimeOffset Since, DateTimeOffset At);

/// <summary>The recovery ended after <see cref="Redelivered"/> redeliveries, or because of <see cref="Error"/>.</summary>
public sealed record WebhookRecoveryFinished(DateTimeOffset At, int Redelivered, string? Error = null);

/// <summary>
/// An alert about the webhook (one of <see cref="Alerts"/>) was raised at <see cref="At"/> and sent to <see cref="Channels"/>
/// (<c>email</c>, <c>webhook</c>; the log always). <see cref="FailingSince"/> is the run of failures it is about.
/// </summary>
public sealed record WebhookAlerted(Guid AlertId, string Alert, DateTimeOffset At, DateTimeOffset? FailingSince, string? Reason,
    IReadOnlyList<string> Channels);

/// <summary>Custom headers (e.g. Authorization) sent with every delivery; values are encrypted at rest and never shown.</summary>
public sealed record WebhookHeadersChanged(string? ProtectedHeaders, IReadOnlyList<string> Names);

/// <summary>
/// A webhook subscription folded from its stream; also the read model dispatch and the API query.
/// <see cref="ActiveSince"/> is when it was last switched on: events that happened before that are
/// not delivered, even if they are dispatched after it. Its secrets are as stored in the events:
/// <see cref="WebhookSecretProtector"/> turns them into the secrets that sign.
/// </summary>
public sealed partial record Webhook(
    Guid Id, string EshopId, string Name, string Trigger, string Url, string? Body, bool Enabled,
    DateTimeOffset CreatedAt, DateTimeOffset? ActiveSince, bool Deleted,
    IReadOnlyList<int>? RetrySchedule = null, string? DisabledReason = null,
    string? Secret = null, string? PreviousSecret = null, DateTimeOffset? PreviousSecretExpiresAt = null,
    string? ProtectedHeaders = null, IReadOnlyList<string>? HeaderNames = null, DateTimeOffset? RecoveryStartedAt = null,
    IReadOnlyList<Condition>? Conditions = null, DeliveryRateLimit? RateLimit = null, string? Ordering = null, bool Suspended = false,
    DateTimeOffset? AlertedFailingSince = null, DateTimeOffset? LastFailingAlertAt = null, DateTimeOffset? WarnedFailingSince = null,
    Guid? ResyncJobId = null, AutoDisabling? AutoDisabled = null, DateTimeOffset? WarnedAt = null)
{
    /// <summary><see cref="ResyncJobId"/>: the resync running, one at a time.</summary>
    public Webhook Apply(WebhookResyncStarted e) => this with { ResyncJobId = e.JobId };

    public Webhook Apply(WebhookResyncEnded e) => ResyncJobId == e.JobId ? this with { ResyncJobId = null } : this;

    /// <summary>
    /// <see cref="AlertedFailingSince"/>: the run of failures the owner was told of, until told it works again;
    /// <see cref="WarnedFailingSince"/>: the one they were warned would switch the webhook off (which tells it fails, too),
    /// <see cref="WarnedAt"/>: when.
    /// </summary>
    public Webhook Apply(WebhookAlerted e) => e.Alert switch
    {
        Alerts.Failing => this with { AlertedFailingSince = e.FailingSince, LastFailingAlertAt = e.At },
        Alerts.WillBeDisabled => this with { AlertedFailingSince = e.FailingSince, WarnedFailingSince = e.FailingSince, WarnedAt = e.At },
        Alerts.Recovered => this with { AlertedFailingSince = null, WarnedFailingSince = null, WarnedAt = null },
        _ => this,
    };

    /// <summary>
    /// A recovery that has not finished within this long is taken as lost (its message dead-lettered, say), so it
    /// cannot block the next one for ever; a running one finishes far sooner, a batch of 200 at a time.
    /// </summary>
    public static readonly TimeSpan RecoveryTimeout = TimeSpan.FromHours(1);

    public bool Recovering(DateTimeOffset now) => RecoveryStartedAt is { } at && now - at < RecoveryTimeout;

    public Webhook Apply(WebhookRecoveryStarted e) => this with { RecoveryStartedAt = e.At };

    public Webhook Apply(WebhookRecoveryFinished e) => this with { RecoveryStartedAt = null };

    public static Webhook Create(WebhookCreated e) =>
        new(e.WebhookId, e.EshopId, e.Name, e.Trigger, e.Url, e.Body, e.Enabled, e.At, e.Enabled ? e.At : null, false,
            e.RetrySchedule, Secret: e.Secret, ProtectedHeaders: e.ProtectedHeaders, HeaderNames: e.HeaderNames,
            Conditions: e.Conditions, RateLimit: e.RateLimit, Ordering: e.Ordering);

    public Webhook Apply(WebhookHeadersChanged e) => this with { ProtectedHeaders = e.ProtectedHeaders, HeaderNames = e.Names };

    public Webhook Apply(WebhookSecretRotated e) =>
        this with { Secret = e.Secret, PreviousSecret = e.PreviousSecret, PreviousSecretExpiresAt = e.PreviousExpiresAt };

    /// <summary>The stored secrets that sign a request sent at <paramref name="now"/>: the current one, and the previous one while it lasts.</summary>
    public IReadOnlyList<string> StoredSigningSecrets(DateTimeOffset now) =>
        [.. new[] { Secret }.Concat(PreviousSecretExpiresAt > now ? [PreviousSecret] : []).OfType<string>()];

    public Webhook Apply(WebhookRenamed e) => this with { Name = e.Name };

    public Webhook Apply(WebhookTriggerChanged e) => this with { Trigger = e.Trigger };

    public Webhook Apply(WebhookUrlChanged e) => this with { Url = e.Url };

    public Webhook Apply(WebhookBodyChanged e) => this with { Body = e.Body };

    public Webhook Apply(WebhookConditionsChanged e) => this with { Conditions = e.Conditions };

    public Webhook Apply(WebhookRateLimitChanged e) => this with { RateLimit = e.RateLimit };

    public Webhook Apply(WebhookOrderingChanged e) => this with { Ordering = e.Ordering };

    public bool OrderedPerCustomer => Ordering == WebhookOrdering.PerCustomer;

    /// <summary>
    /// When the run of failures <paramref name="health"/> shows began, while this webhook is on to be told of it: sending,
    /// and failing since it was last switched on. Null otherwise.
    /// </summary>
    public DateTimeOffset? FailingRun(WebhookHealth? health) =>
        Enabled && !Deleted && !Suspended && health?.FailingSince is { } since && !(health.LastFailureAt < ActiveSince) ? since : null;

    public Webhook Apply(WebhookRetryScheduleChanged e) => this with { RetrySchedule = e.RetrySchedule };

    public Webhook Apply(WebhookEnabled e) =>
        this with
        {
            Enabled = true, ActiveSince = e.At, DisabledReason = null, AutoDisabled = null, AlertedFailingSince = null, WarnedFailingSince = null,
            WarnedAt = null,
        };

    public Webhook Apply(WebhookDisabled e) => this with { Enabled = false, ActiveSince = null, DisabledReason = null, AutoDisabled = null };

    public Webhook Apply(WebhookAutoDisabled e) =>
        this with { Enabled = false, ActiveSince = null, DisabledReason = e.Reason, AutoDisabled = AutoDisabling.Of(e) };

    public Webhook Apply(WebhookDeleted e) => this with { Enabled = false, ActiveSince = null, Deleted = true };

    public Webhook Apply(WebhookSuspended e) => this with { Suspended = true };

    public Webhook Apply(WebhookResumed e) => this with { Suspended = false, ActiveSince = Enabled ? e.At : null };

    public string Method => DeliveryRequest.MethodFor(Body);

    /// <summary>The first condition an event's values do not meet, or null when it is to be sent.</summary>
    public Condition? Unmet(IReadOnlyDictionary<string, TemplateValue> values) => Condition.FirstUnmet(Conditions, values);

    /// <summary>Whether an event that happened at <paramref name="occurredAt"/> is delivered to this webhook.</summary>
    public bool Accepts(DateTimeOffset occurredAt) => Enabled && !Deleted && !Suspended && ActiveSince <= occurredAt;
}

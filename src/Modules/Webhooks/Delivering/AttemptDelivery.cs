using System.Diagnostics;
using Ellity.Webhooks.Subscribing;
using Marten;
using JasperFx.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wolverine;

namespace Ellity.Webhooks.Delivering;

/// <summary>
/// Make attempt number <see cref="Attempt"/> of a delivery. Knowing the webhook up front lets the
/// delivery and its webhook be read in one round trip (messages queued before it was added lack it).
/// </summary>
public sealed record AttemptDelivery(Guid DeliveryId, int Attempt = 1, Guid? WebhookId = null);

/// <summary>What an attempt's outcome means: the events to record, when to retry, whether to disable the webhook.</summary>
public sealed record AttemptOutcome(IReadOnlyList<object> Events, DateTimeOffset? RetryAt, string? DisableWebhookReason);

public static partial class AttemptDeliveryHandler
{
    /// <summary>How long a request waits when its webhook already has the most requests in flight.</summary>
    public static readonly TimeSpan BusyDelay = TimeSpan.FromMilliseconds(500);

    public static AttemptOutcome Decide(Delivery delivery, DeliveryAttempted attempt, DateTimeOffset now,
        IReadOnlyList<int> schedule, double jitter, double random)
    {
        if (attempt.Succeeded)
            return new([attempt, new DeliverySucceeded(now, attempt.Number, delivery.WebhookId)], null, null);

        if (attempt.StatusCode == 410)
        {
            const string gone = "The receiver answered 410 Gone: the webhook was disabled.";
            return new([attempt, new DeliveryFailed(now, attempt.Number, gone, delivery.WebhookId)], null, gone);
        }

        // Manual redeliveries are one-off attempts; only scheduled ones walk the schedule.
        var retryIndex = delivery.ScheduledAttempts; // attempts made before this one from the schedule
        if (attempt.Manual || retryIndex >= schedule.Count)
        {
            var reason = attempt.Manual
                ? $"Manual attempt failed: {attempt.Error}"
                : $"Gave up after {attempt.Number} attempts: {attempt.Error}";
            return new([attempt, new DeliveryFailed(now, attempt.Number, reason, delivery.WebhookId)], null, null);
        }

        var delay = TimeSpan.FromSeconds(schedule[retryIndex] * (1 + jitter * (2 * random - 1)));
        // A receiver that says when to come back is believed, unless it asks for longer than the whole schedule allows.
        if (attempt.RetryAfterSeconds is { } asked && asked <= schedule.Max())
            delay = TimeSpan.FromSeconds(asked);
        var at = now + delay;
        return new([attempt, new DeliveryRetryScheduled(attempt.Number + 1, at)], at, null);
    }

    /// <summary>
    /// Why a due attempt is not sent at all: its webhook was deleted, or switched off (by its owner or
    /// automatically). Switching a webhook off stops its pending retries as it stops new deliveries; the
    /// delivery fails with the reason and can be redelivered. A test or a manual redelivery of a switched-off
    /// webhook is sent: someone just asked for it.
    /// </summary>
    public static string? NotSent(Delivery delivery, Webhook? webhook) => webhook switch
    {
        null or { Deleted: true } => "Not sent: the webhook was deleted.",
        { Enabled: false } when !delivery.Test && !delivery.NextAttemptManual => webhook.DisabledReason is { } why
            ? $"Not sent: the webhook was switched off automatically. {why}"
            : "Not sent: the webhook was switched off.",
        _ => null,
    };

    public static async Task<OutgoingMessages> Handle(AttemptDelivery command, IDocumentSession session, WebhookSender sender,
        WebhookConcurrency concurrency, WebhookHeaders headers, WebhookSecretProtector secretProtector, IOptions<WebhooksOptions> options,
        DeliveryTelemetry telemetry, ILogger<AttemptDelivery> logger, CancellationToken ct)
    {
        var messages = new OutgoingMessages();
        var (stream, webhook) = await Read(session, command, ct);
        // Finished, gone, or superseded by a newer attempt (a manual redelivery): nothing to do.
        if (stream.Aggregate is not { Status: DeliveryStatus.Pending } delivery || delivery.NextAttempt != command.Attempt)
            return messages;

        webhook ??= await session.LoadAsync<Webhook>(delivery.WebhookId, ct);
        if (NotSent(delivery, webhook) is { } reason)
        {
            var failed = new DeliveryFailed(DateTimeOffset.UtcNow, delivery.Attempts.Count, reason, delivery.WebhookId);
            stream.AppendOne(failed);
            telemetry.Ended(delivery, false, failed.At);
            LogNotSent(logger, delivery.Id, delivery.WebhookId, reason);
            return messages;
        }
        var secrets = secretProtector.SigningSecrets(webhook, DateTimeOffset.UtcNow);
        var customHeaders = headers.Unprotect(webhook?.ProtectedHeaders);

        // The webhook's slot is held only while its request is in flight.
        var lease = await concurrency.AcquireAsync(delivery.WebhookId, ct);
        if (lease is null)
        {
            messages.Delay(command, BusyDelay);
            return messages;
        }

        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["DeliveryId"] = delivery.Id, ["WebhookId"] = delivery.WebhookId, ["EshopId"] = delivery.EshopId, ["Attempt"] = command.Attempt,
        });
        // Every attempt, however late or batched its way here, continues the trace of the request that caused it.
        using var activity = ActivityContext.TryParse(delivery.TraceParent, null, out var cause)
            ? DeliveryTelemetry.Source.StartActivity("webhook attempt", ActivityKind.Client, cause)
            : DeliveryTelemetry.Source.StartActivity("webhook attempt", ActivityKind.Client);
        activity?.SetTag("ellity.delivery.id", delivery.Id);
        activity?.SetTag("ellity.webhook.id", delivery.WebhookId);
        activity?.SetTag("ellity.attempt", command.Attempt);

        DeliveryAttempted attempt;
        try
        {
            attempt = await sender.SendAsync(delivery.Request, command.Attempt, secrets, customHeaders, ct) with
            {
                WebhookId = delivery.WebhookId, Manual = delivery.NextAttemptManual,
            };
        }
        finally
        {
            lease.Dispose();
        }
        activity?.SetTag("http.response.status_code", attempt.StatusCode);
        if (!attempt.Succeeded) activity?.SetStatus(ActivityStatusCode.Error, attempt.Error);
        telemetry.Attempted(delivery, attempt);
        LogAttempt(logger, attempt.Succeeded ? LogLevel.Debug : LogLevel.Warning,
            delivery.Id, command.Attempt, delivery.WebhookId, attempt.StatusCode, attempt.DurationMs, attempt.Error);
        var schedule = delivery.RetrySchedule;
        var outcome = Decide(delivery, attempt, DateTimeOffset.UtcNow, schedule, options.Value.RetryJitter, Random.Shared.NextDouble());
        stream.AppendMany(outcome.Events);
        foreach (var ended in outcome.Events)
        {
            if (ended is DeliverySucceeded succeeded) telemetry.Ended(delivery, true, succeeded.At);
            if (ended is DeliveryFailed failed) telemetry.Ended(delivery, false, failed.At);
        }
        if (outcome.RetryAt is { } retryAt)
            messages.Schedule(new AttemptDelivery(delivery.Id, attempt.Number + 1, delivery.WebhookId), retryAt);
        var disableReason = outcome.DisableWebhookReason
            ?? (attempt.Succeeded ? null : await FailingTooLong(session, delivery.WebhookId, options.Value.AutoDisableAfter, ct));
        if (disableReason is not null && webhook is { Enabled: true })
            session.Events.Append(delivery.WebhookId, new WebhookAutoDisabled(delivery.WebhookId, DateTimeOffset.UtcNow, disableReason));
        return messages;
    }

    private static async Task<(IEventStream<Delivery> Stream, Webhook? Webhook)> Read(IDocumentSession session,
        AttemptDelivery command, CancellationToken ct)
    {
        if (command.WebhookId is not { } webhookId)
            return (await session.Events.FetchForWriting<Delivery>(command.DeliveryId, ct), null);
        var reads = session.CreateBatchQuery();
        var stream = reads.Events.FetchForWriting<Delivery>(command.DeliveryId);
        var webhook = reads.Load<Webhook>(webhookId);
        await reads.Execute(ct);
        return (await stream, await webhook);
    }

    [LoggerMessage(LogLevel.Information, "Delivery {DeliveryId} to webhook {WebhookId} ended without an attempt: {Reason}")]
    private static partial void LogNotSent(ILogger logger, Guid deliveryId, Guid webhookId, string reason);

    [LoggerMessage("Delivery {DeliveryId} attempt {Attempt} to webhook {WebhookId}: status {StatusCode} in {DurationMs} ms {Error}")]
    private static partial void LogAttempt(ILogger logger, LogLevel level, Guid deliveryId, int attempt, Guid webhookId,
        int? statusCode, long durationMs, string? error);

    /// <summary>The reason to switch a webhook off when its attempts have failed for longer than allowed.</summary>
    private static async Task<string?> FailingTooLong(IQuerySession session, Guid webhookId, TimeSpan allowed, CancellationToken ct)
    {
        var health = await session.LoadAsync<WebhookHealth>(webhookId, ct);
        return health?.FailingSince is { } since && DateTimeOffset.UtcNow - since >= allowed
            ? $"Every attempt failed since {since:u} (last error: {health.LastError}); disabled after {allowed.TotalHours:0.#} h without a success."
            : null;
    }
}

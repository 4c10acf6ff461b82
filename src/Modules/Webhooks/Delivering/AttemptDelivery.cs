using System.Diagnostics;
using Ellity.Webhooks.Erasing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Wolverine.Attributes;

namespace Ellity.Webhooks.Delivering;

/// <summary>
/// Make attempt number <see cref="Attempt"/> of a delivery. Knowing the webhook up front lets the
/// delivery and its webhook be read in one round trip (messages queued before it was added lack it).
/// </summary>
/// <see cref="Postponed"/>: how many times in a row it found no free slot and was put back.
/// <see cref="Plan"/>: a first attempt queued before its delivery's stream was written; the stream starts with this
/// event and the attempt's outcome, in one write. <see cref="NotSent"/>: why a planned delivery cannot be sent at all
/// (its request did not render); its stream is started ended. <see cref="PacedAt"/>: the slot of its webhook's rate limit
/// it holds (see <see cref="DeliveryPacing"/>).
public sealed record AttemptDelivery(Guid DeliveryId, int Attempt = 1, Guid? WebhookId = null, int Postponed = 0,
    DeliveryScheduled? Plan = null, string? NotSent = null, DateTimeOffset? PacedAt = null)
{
    /// <summary>The next attempt of <paramref name="delivery"/>, numbered <paramref name="attempt"/>.</summary>
    public static AttemptDelivery Next(Delivery delivery, int attempt) => new(delivery.Id, attempt, delivery.WebhookId);
}

/// <summary>What an attempt's outcome means: the events to record, and when to retry.</summary>
public sealed record AttemptOutcome(IReadOnlyList<object> Events, DateTimeOffset? RetryAt);

/// <summary>What an attempt found when it was loaded: the delivery at the version of its stream, its webhook, its customer's erasure.</summary>
public sealed record AttemptState(AttemptDelivery Command, long Version, Delivery Delivery, Webhook? Webhook, DateTimeOffset? ErasedAt);

public static partial class AttemptDeliveryHandler
{
    /// <summary>How long a request first waits when its e-shop or webhook already has the most requests in flight.</summary>
    public static readonly TimeSpan BusyDelay = TimeSpan.FromMilliseconds(500);

    public static AttemptOutcome Decide(Delivery delivery, DeliveryAttempted attempt, DateTimeOffset now,
        IReadOnlyList<int> schedule, double jitter, double random)
    {
        if (attempt.Succeeded)
            return new([attempt, new DeliverySucceeded(now, attempt.Number, delivery.WebhookId)], null);

        // The webhook itself is switched off by DisableFailingWebhookHandler.
        if (attempt.StatusCode == 410)
            return new([attempt, new DeliveryFailed(now, attempt.Number, DisableFailingWebhookHandler.Gone, delivery.WebhookId)], null);

        // Manual redeliveries are one-off attempts; only scheduled ones walk the schedule.
        var retryIndex = delivery.ScheduledAttempts; // attempts made before this one from the schedule
        if (attempt.Manual || retryIndex >= schedule.Count)
        {
            var reason = attempt.Manual
                ? $"Manual attempt failed: {attempt.Error}"
                : $"Gave up after {attempt.Number} attempts: {attempt.Error}";
            return new([attempt, new DeliveryFailed(now, attempt.Number, reason, delivery.WebhookId)], null);
        }

        var delay = TimeSpan.FromSeconds(schedule[retryIndex] * (1 + jitter * (2 * random - 1)));
        // A receiver that says when to come back is believed, unless it asks for longer than the whole schedule allows.
        if (attempt.RetryAfterSeconds is { } asked && asked <= schedule.Max())
            delay = TimeSpan.FromSeconds(asked);
        var at = now + delay;
        return new([attempt, new DeliveryRetryScheduled(attempt.Number + 1, at)], at);
    }

    /// <summary>
    /// Why a due attempt is not sent at all: its webhook was deleted, or switched off (by its owner or
    /// automatically), or suspended because its e-shop removed the Webhooks feature. Switching a webhook off stops its
    /// pending retries as it stops new deliveries; the delivery fails with the reason and can be redelivered. A test or a
    /// manual redelivery of a switched-off webhook is sent: someone just asked for it. A suspended one sends nothing.
    /// </summary>
    public static string? NotSent(Delivery delivery, Webhook? webhook) => webhook switch
    {
        null or { Deleted: true } => "Not sent: the webhook was deleted.",
        { Suspended: true } => WebhooksFeature.Removed,
        { Enabled: false } when !delivery.Test && !delivery.NextAttemptManual => webhook.DisabledReason is { } why
            ? $"Not sent: the webhook was switched off automatically. {why}"
            : "Not sent: the webhook was switched off.",
        _ => null,
    };

    /// <summary>
    /// Load, decide, record: the attempt's state is read; a delivery that may not be sent is ended, one that may is sent and
    /// its outcome decided; the <see cref="AttemptRecorder"/> writes the result together with the attempts that finish at
    /// the same time, and the handler returns once its own is committed.
    /// </summary>
    [NonTransactional]
    public static async Task Handle(AttemptDelivery command, IQuerySession session, AttemptRecorder recorder,
        WebhookSender sender, WebhookConcurrency concurrency, DeliveryPacing pacing, WebhookHeaders headers,
        WebhookSecretProtector secretProtector, IOptions<WebhooksOptions> options, DeliveryTelemetry telemetry,
        ILogger<AttemptDelivery> logger, CancellationToken ct)
    {
        if (await ReadAsync(session, command, ct) is not { } state) return;
        var record = Unsent(state, DateTimeOffset.UtcNow, logger)
            ?? await AttemptAsync(state, options.Value, sender, concurrency, pacing, headers, secretProtector, telemetry, logger, ct);
        // An ordered webhook's next delivery for the customer waits for this one to end.
        if (state.Webhook is { OrderedPerCustomer: true } && state.Delivery.CustomerId is { } customer)
            record = record with { Release = new ReleaseOrderedDelivery(state.Delivery.WebhookId, customer, state.Delivery.Id) };
        await recorder.RecordAsync(record, ct);
        foreach (var ended in record.Events)
        {
            if (ended is DeliverySucceeded succeeded) telemetry.Ended(state.Delivery, true, succeeded.At);
            if (ended is DeliveryFailed failed) telemetry.Ended(state.Delivery, false, failed.At);
        }
    }

    /// <summary>
    /// The record of a delivery that ends without a request: queued before its customer's personal data was erased (the
    /// recorder, seeing the same erasure, writes it without its content), a request that did not render, or a webhook
    /// deleted or switched off. Null when it may be sent.
    /// </summary>
    public static AttemptRecord? Unsent(AttemptState state, DateTimeOffset now, ILogger logger)
    {
        var (command, version, delivery, webhook, erasedAt) = state;
        if (command.Plan is { } start)
        {
            if (erasedAt is { } erased && start.SourceOccurredAt < erased)
                return new AttemptRecord(delivery.Id, 0, [new DeliveryFailed(now, 0, ErasePersonalDataHandler.Reason, delivery.WebhookId)],
                    Start: start);
            if (command.NotSent is { } unsendable) return new AttemptRecord(delivery.Id, 0, [DeliveryFailed.Unsent(start, unsendable)], Start: start);
        }
        if (NotSent(delivery, webhook) is not { } reason) return null;
        LogNotSent(logger, delivery.Id, delivery.WebhookId, reason);
        return new AttemptRecord(delivery.Id, version, [new DeliveryFailed(now, delivery.Attempts.Count, reason, delivery.WebhookId)],
            Start: command.Plan);
    }

    /// <summary>
    /// Sends the request within the e-shop's and the webhook's concurrency limits, and decides what its outcome means. No free
    /// slot puts the attempt back as it came; an open circuit defers it without using up one of the delivery's attempts.
    /// </summary>
    private static async Task<AttemptRecord> AttemptAsync(AttemptState state, WebhooksOptions settings, WebhookSender sender,
        WebhookConcurrency concurrency, DeliveryPacing pacing, WebhookHeaders headers, WebhookSecretProtector secretProtector,
        DeliveryTelemetry telemetry, ILogger logger, CancellationToken ct)
    {
        var (command, version, delivery, webhook, _) = state;
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["DeliveryId"] = delivery.Id, ["WebhookId"] = delivery.WebhookId, ["EshopId"] = delivery.EshopId, ["Attempt"] = command.Attempt,
        });
        DeliveryAttempted attempt;
        var (secrets, customHeaders, unprepared) = Prepare(webhook!, headers, secretProtector, logger);
        if (unprepared is not null)
        {
            attempt = NotMade(command.Attempt, FailureKinds.NotSent, unprepared);
        }
        else
        {
            // A webhook with a rate limit sends in the next free slot: a near one is waited for here, a later one put back for.
            var slot = webhook!.RateLimit is { } limit ? await pacing.SlotAsync(webhook.Id, limit, command.PacedAt, ct) : (DateTimeOffset?)null;
            if (slot is { } far && far - DateTimeOffset.UtcNow > DeliveryPacing.Horizon)
                return new AttemptRecord(delivery.Id, version, [], command with { PacedAt = slot }, far - DeliveryPacing.Horizon);
            // The e-shop's and the webhook's slots are held only while the request is in flight.
            var lease = await concurrency.AcquireAsync(delivery.EshopId, delivery.WebhookId, ct);
            // Put back as it came: a first attempt keeps its plan, nothing is written to the stream.
            if (lease is null)
                return new AttemptRecord(delivery.Id, version, [], command with { Postponed = command.Postponed + 1, PacedAt = slot },
                    DateTimeOffset.UtcNow + PostponedFor(command.Postponed, Random.Shared.NextDouble()));
            if (slot is { } due)
            {
                (DateTimeOffset At, DateTimeOffset? Holding)? later;
                try
                {
                    later = await pacing.WaitAsync(webhook.Id, webhook.RateLimit!, due, ct);
                }
                catch
                {
                    lease.Dispose();
                    throw;
                }
                if (later is { } putBack)
                {
                    lease.Dispose();
                    return new AttemptRecord(delivery.Id, version, [], command with { PacedAt = putBack.Holding }, putBack.At);
                }
            }
            // Every attempt, however late or batched its way here, continues the trace of the request that caused it.
            using var activity = ActivityContext.TryParse(delivery.TraceParent, null, out var cause)
                ? DeliveryTelemetry.Source.StartActivity("webhook attempt", ActivityKind.Client, cause)
                : DeliveryTelemetry.Source.StartActivity("webhook attempt", ActivityKind.Client);
            activity?.SetTag("ellity.delivery.id", delivery.Id);
            activity?.SetTag("ellity.webhook.id", delivery.WebhookId);
            activity?.SetTag("ellity.attempt", command.Attempt);
            BrokenCircuitException? open = null;
            try
            {
                attempt = await sender.SendAsync(delivery.Request, command.Attempt, secrets, customHeaders, delivery.EshopId, ct);
            }
            catch (BrokenCircuitException e)
            {
                open = e;
                attempt = NotMade(command.Attempt, FailureKinds.CircuitOpen, CircuitOpen);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // Whatever went wrong, the attempt ends as failed and the schedule goes on; nothing is left pending.
                LogSendFailed(logger, e, delivery.Id, command.Attempt);
                attempt = NotMade(command.Attempt, FailureKinds.NotSent, $"The request could not be sent because of an internal error ({e.GetType().Name}).");
            }
            finally
            {
                lease.Dispose();
            }
            if (open is not null && Defer(delivery, command.Attempt, DateTimeOffset.UtcNow,
                    open.RetryAfter ?? settings.CircuitBreaker.BreakDuration, Random.Shared.NextDouble()) is { } deferred)
                return new AttemptRecord(delivery.Id, version, [deferred], command with { Postponed = 0, Plan = null },
                    deferred.RetryAt, Start: command.Plan);
            activity?.SetTag("http.response.status_code", attempt.StatusCode);
            if (!attempt.Succeeded) activity?.SetStatus(ActivityStatusCode.Error, attempt.Error);
        }
        attempt = attempt with { WebhookId = delivery.WebhookId, Manual = delivery.NextAttemptManual };
        telemetry.Attempted(delivery, attempt);
        LogAttempt(logger, attempt.Succeeded ? LogLevel.Debug : LogLevel.Warning,
            delivery.Id, command.Attempt, delivery.WebhookId, attempt.StatusCode, attempt.DurationMs, FailureKinds.Of(attempt), attempt.Error);
        var outcome = Decide(delivery, attempt, DateTimeOffset.UtcNow, delivery.RetrySchedule, settings.RetryJitter, Random.Shared.NextDouble());
        return new AttemptRecord(delivery.Id, version, outcome.Events,
            outcome.RetryAt is null ? null : AttemptDelivery.Next(delivery, attempt.Number + 1),
            outcome.RetryAt ?? default, command.Plan);
    }

    public const string CircuitOpen = "Not sent: every recent request to this host failed, so it is paused for a while (circuit open).";

    /// <summary>
    /// An attempt skipped because the destination's circuit is open waits for the circuit instead of using up one of the
    /// delivery's attempts: a receiver that was down for a while gets everything once it is back. Each further wait is
    /// twice as long, so a long outage costs few rounds, and the waiting ends with the delivery's retry schedule: past
    /// its whole span (or with no schedule, like a test) the skipped attempt counts as failed.
    /// </summary>
    public static DeliveryAttemptDeferred? Defer(Delivery delivery, int attempt, DateTimeOffset now, TimeSpan circuitOpenFor, double random)
    {
        var span = TimeSpan.FromSeconds(delivery.RetrySchedule.Sum());
        if (now - delivery.ScheduledAt >= span) return null;
        var wait = circuitOpenFor * Math.Pow(2, Math.Min(delivery.Deferrals, 10)) * (1 + 0.1 * random);
        var retryAt = now + (wait < span ? wait : span);
        return new DeliveryAttemptDeferred(attempt, now, retryAt, CircuitOpen);
    }

    /// <summary>How long an attempt that found no free slot waits before it tries again: longer each time, up to a few seconds.</summary>
    public static TimeSpan PostponedFor(int postponed, double random) =>
        BusyDelay * Math.Pow(2, Math.Min(postponed, 4)) * (1 + 0.2 * random);

    private static DeliveryAttempted NotMade(int number, string kind, string error) =>
        new(number, DateTimeOffset.UtcNow, 0, null, error, null, false, FailureKind: kind);

    /// <summary>
    /// The webhook's signing secrets and custom headers in clear. A key ring that can no longer decrypt them (lost, or
    /// replaced without its keys) fails the attempt with what to do about it, instead of failing the message.
    /// </summary>
    private static (IReadOnlyList<string> Secrets, IReadOnlyDictionary<string, string> Headers, string? Error) Prepare(
        Webhook webhook, WebhookHeaders headers, WebhookSecretProtector secretProtector, ILogger logger)
    {
        try
        {
            return (secretProtector.SigningSecrets(webhook, DateTimeOffset.UtcNow), headers.Unprotect(webhook.ProtectedHeaders), null);
        }
        catch (WebhookSecretUnavailableException e)
        {
            LogUnprotectFailed(logger, e, webhook.Id);
            return ([], new Dictionary<string, string>(), $"Not sent: {e.Message}");
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            LogUnprotectFailed(logger, e, webhook.Id);
            return ([], new Dictionary<string, string>(),
                "Not sent: the webhook's custom headers cannot be decrypted (the Data Protection key ring may have been lost); enter them again.");
        }
    }

    /// <summary>
    /// The delivery, the version of its stream it was folded at, and its webhook, in one round trip; null when there is
    /// nothing to do. The version is read before the document: an append committed in between makes the
    /// document newer than the version, which the recorder then refuses as a conflict, never the other way round. A first
    /// attempt carries its delivery as planned, and reads instead whether its customer's personal data was erased since.
    /// </summary>
    public static async Task<AttemptState?> ReadAsync(IQuerySession session, AttemptDelivery command, CancellationToken ct)
    {
        var reads = session.CreateBatchQuery();
        var state = reads.Events.FetchStreamState(command.DeliveryId);
        var loaded = command.Plan is { } plan ? Task.FromResult<Delivery?>(Delivery.Create(plan)) : reads.Load<Delivery>(command.DeliveryId);
        var webhook = command.WebhookId is { } webhookId ? reads.Load<Webhook>(webhookId) : Task.FromResult<Webhook?>(null);
        var erased = command.Plan?.CustomerId is { } customerId ? reads.Load<ErasedCustomer>(customerId) : Task.FromResult<ErasedCustomer?>(null);
        await reads.Execute(ct);
        var version = (await state)?.Version ?? 0;
        // A first attempt whose stream is already written was recorded by a twin of this message (a replay).
        if (command.Plan is not null && version > 0) return null;
        // Finished, gone, or superseded by a newer attempt (a manual redelivery): nothing to do.
        if (await loaded is not { Status: DeliveryStatus.Pending } delivery || delivery.NextAttempt != command.Attempt) return null;
        return new AttemptState(command, version, delivery,
            await webhook ?? await session.LoadAsync<Webhook>(delivery.WebhookId, ct), (await erased)?.ErasedAt);
    }

    [LoggerMessage(LogLevel.Error, "Delivery {DeliveryId} attempt {Attempt} could not be sent")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, Guid deliveryId, int attempt);

    [LoggerMessage(LogLevel.Error, "The secrets or custom headers of webhook {WebhookId} cannot be decrypted")]
    private static partial void LogUnprotectFailed(ILogger logger, Exception exception, Guid webhookId);

    [LoggerMessage(LogLevel.Information, "Delivery {DeliveryId} to webhook {WebhookId} ended without an attempt: {Reason}")]
    private static partial void LogNotSent(ILogger logger, Guid deliveryId, Guid webhookId, string reason);

    [LoggerMessage("Delivery {DeliveryId} attempt {Attempt} to webhook {WebhookId}: status {StatusCode} in {DurationMs} ms {FailureKind} {Error}")]
    private static partial void LogAttempt(ILogger logger, LogLevel level, Guid deliveryId, int attempt, Guid webhookId,
        int? statusCode, long durationMs, string? failureKind, string? error);
}

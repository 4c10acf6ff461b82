using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Wolverine;
using Wolverine.Http;
using Ellity.Webhooks.Subscribing;

namespace Ellity.Webhooks.Delivering;

public sealed record RecoverInput(DateTimeOffset? Since);

public sealed record RecoverResponse(Guid WebhookId, DateTimeOffset Since, string Status);

/// <summary>Redeliver the failed deliveries of a webhook since a time, a batch at a time, oldest first.</summary>
public sealed record RecoverWebhook(string EshopId, Guid WebhookId, DateTimeOffset Since, DateTimeOffset? AfterScheduledAt = null,
    int Redelivered = 0);

public static class RedeliverEndpoint
{
    public const int RecoverBatchSize = 200;

    /// <summary>A finished delivery gets one more, manual attempt now, on the same stream.</summary>
    public static DeliveryRedeliveryRequested Decide(Delivery delivery, DateTimeOffset now) =>
        new(delivery.Attempts.Count + 1, now);

    [WolverinePost("/api/eshops/{eshopId}/deliveries/{deliveryId}/redeliver"), Tags("Deliveries"), EnableRateLimiting(WebhookRateLimits.Writes)]
    public static async Task<Results<Accepted<RedeliveryResponse>, ProblemHttpResult>> Post(
        string eshopId, Guid deliveryId, IDocumentSession session, IMessageBus bus, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Delivery>(deliveryId, ct);
        if (stream.Aggregate is not { } delivery || delivery.EshopId != eshopId)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Delivery not found",
                detail: $"No delivery {deliveryId} in this e-shop.");
        if (delivery.Status == DeliveryStatus.Pending)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Delivery in progress",
                detail: $"Delivery {deliveryId} is still being delivered; its next attempt is due at {delivery.NextAttemptAt:O}.");

        if (delivery.Unsendable)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Delivery cannot be sent",
                detail: $"Delivery {deliveryId} could never be sent: {delivery.FailureReason}");

        if (delivery.ContentErasedAt is not null)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Delivery content erased",
                detail: $"Delivery {deliveryId} can no longer be sent: its content was erased at {delivery.ContentErasedAt:O}.");

        if (await session.LoadAsync<Webhook>(delivery.WebhookId, ct) is null or { Deleted: true })
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Webhook deleted",
                detail: $"Delivery {deliveryId} can no longer be sent: its webhook {delivery.WebhookId} was deleted.");

        var requested = Decide(delivery, DateTimeOffset.UtcNow);
        stream.AppendOne(requested);
        await bus.PublishAsync(new AttemptDelivery(deliveryId, requested.NextAttempt, delivery.WebhookId));
        return TypedResults.Accepted($"/api/eshops/{eshopId}/deliveries/{deliveryId}",
            new RedeliveryResponse(deliveryId, requested.NextAttempt));
    }

    [WolverinePost("/api/eshops/{eshopId}/webhooks/{webhookId}/recover"), Tags("Deliveries"), EnableRateLimiting(WebhookRateLimits.Recover)]
    public static async Task<Results<Accepted<RecoverResponse>, ValidationProblem, ProblemHttpResult>> Recover(
        string eshopId, Guid webhookId, RecoverInput? input, IDocumentSession session, IMessageBus bus,
        IOptions<WebhooksOptions> options, CancellationToken ct)
    {
        var stream = await WebhookLookup.FetchForWriting(session, eshopId, webhookId, ct);
        if (stream is null) return WebhookLookup.NotFound(webhookId);
        var now = DateTimeOffset.UtcNow;
        // Older deliveries have lost their content to retention: there is nothing left to send again.
        var earliest = now - options.Value.ContentRetention;
        if (input?.Since is not { } since || since > now || since < earliest)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["since"] = [$"A time between {earliest:O} (the retention period) and now, in ISO 8601, is required: failed deliveries scheduled since then are redelivered."],
            });
        // One at a time: two recoveries would both find the same failed deliveries. Two calls racing past this check
        // append to the same version of the stream, so one of them fails (409) and its message is never sent.
        if (stream.Aggregate!.Recovering(now))
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Recovery in progress",
                detail: $"A recovery of this webhook started at {stream.Aggregate.RecoveryStartedAt:O} is still running; try again when it has finished.");

        stream.AppendOne(new WebhookRecoveryStarted(since, now));
        await bus.PublishAsync(new RecoverWebhook(eshopId, webhookId, since));
        return TypedResults.Accepted($"/api/eshops/{eshopId}/webhooks/{webhookId}/deliveries",
            new RecoverResponse(webhookId, since, "started"));
    }
}

public static class RecoverWebhookHandler
{
    /// <summary>
    /// Each failed delivery is read for writing, so a manual redelivery of one of them committed in the meantime makes
    /// this batch's transaction fail on that stream's version; the retried batch then finds it pending and leaves it.
    /// No delivery is queued twice.
    /// </summary>
    public static async Task<OutgoingMessages> Handle(RecoverWebhook command, IDocumentSession session, CancellationToken ct)
    {
        var messages = new OutgoingMessages();
        var query = session.Query<Delivery>().Where(d =>
            d.WebhookId == command.WebhookId && d.EshopId == command.EshopId
            && d.Status == DeliveryStatus.Failed && d.ScheduledAt >= command.Since && d.ContentErasedAt == null && !d.Unsendable);
        if (command.AfterScheduledAt is { } after)
            query = query.Where(d => d.ScheduledAt > after);
        // Only which ones, in order: the deliveries themselves are read below, for writing.
        var batch = await query.OrderBy(d => d.ScheduledAt).Take(RedeliverEndpoint.RecoverBatchSize)
            .Select(d => new FailedDelivery(d.Id, d.ScheduledAt)).ToListAsync(ct);

        var reads = session.CreateBatchQuery();
        var streams = batch.Select(d => reads.Events.FetchForWriting<Delivery>(d.Id)).ToList();
        await reads.Execute(ct);
        var now = DateTimeOffset.UtcNow;
        var redelivered = command.Redelivered;
        foreach (var pending in streams)
        {
            var stream = await pending;
            if (stream.Aggregate is not { Status: DeliveryStatus.Failed } delivery) continue;
            var requested = RedeliverEndpoint.Decide(delivery, now);
            stream.AppendOne(requested);
            messages.Add(new AttemptDelivery(delivery.Id, requested.NextAttempt, delivery.WebhookId));
            redelivered++;
        }
        if (batch.Count == RedeliverEndpoint.RecoverBatchSize)
            messages.Add(command with { AfterScheduledAt = batch[^1].ScheduledAt, Redelivered = redelivered });
        else
            session.Events.Append(command.WebhookId, new WebhookRecoveryFinished(now, redelivered));
        return messages;
    }

    private sealed record FailedDelivery(Guid Id, DateTimeOffset ScheduledAt);

    /// <summary>A recovery whose message was dead-lettered ends, so that the next one can start.</summary>
    public static void Handle(Fault<RecoverWebhook> fault, IDocumentSession session) =>
        session.Events.Append(fault.Message.WebhookId, new WebhookRecoveryFinished(DateTimeOffset.UtcNow, fault.Message.Redelivered,
            $"Stopped by an internal error ({fault.Exception.Type}); start it again to redeliver the rest."));
}

public sealed record RedeliveryResponse(Guid DeliveryId, int Attempt);

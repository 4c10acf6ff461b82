using Microsoft.Extensions.Options;

namespace Ellity.Webhooks.Delivering;

public sealed record RecoverInput(DateTimeOffset? Since);

public sealed record RecoverResponse(Guid WebhookId, DateTimeOffset Since, string Status);

/// <summary>Redeliver the failed deliveries of a webhook scheduled or failed since a time, a batch at a time, oldest first.</summary>
public sealed record RecoverWebhook(string EshopId, Guid WebhookId, DateTimeOffset Since, DateTimeOffset? AfterScheduledAt = null,
    int Redelivered = 0);

public static class RecoverWebhookEndpoint
{
    public const int BatchSize = 200;

    public static ProblemDetails Validate(Webhook? webhook, string eshopId, Guid webhookId, RecoverInput? input,
        IOptions<WebhooksOptions> options)
    {
        var found = WebhookLookup.Found(webhook, eshopId, webhookId);
        if (!ReferenceEquals(found, WolverineContinue.NoProblems)) return found;
        var now = DateTimeOffset.UtcNow;
        if (CheckSince(input?.Since, now, options.Value) is { } problem) return problem;
        // One at a time: two recoveries would both find the same failed deliveries. Two calls racing past this check
        // append to the same version of the stream, so one of them fails (409) and its message is never sent.
        if (webhook!.Recovering(now))
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Recovery in progress",
                detail: $"A recovery of this webhook started at {webhook.RecoveryStartedAt:O} is still running; try again when it has finished.").ProblemDetails;
        return WolverineContinue.NoProblems;
    }

    /// <summary>Older deliveries have lost their content to retention: there is nothing left to send again.</summary>
    public static ProblemDetails? CheckSince(DateTimeOffset? since, DateTimeOffset now, WebhooksOptions options)
    {
        var earliest = now - options.ContentRetention;
        return since is not { } at || at > now || at < earliest
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["since"] = [$"A time between {earliest:O} (the retention period) and now, in ISO 8601, is required: failed deliveries scheduled or failed since then are redelivered."],
            }).ProblemDetails
            : null;
    }

    /// <summary>
    /// What a recovery since <paramref name="since"/> would send again: the failed deliveries that can be sent, scheduled or
    /// failed since then. A run of failures begins with an attempt, so deliveries scheduled just before it are in.
    /// </summary>
    public static IQueryable<Delivery> Recoverable(IQuerySession session, string eshopId, Guid webhookId, DateTimeOffset since) =>
        session.Query<Delivery>().Where(d =>
            d.WebhookId == webhookId && d.EshopId == eshopId
            && d.Status == DeliveryStatus.Failed && (d.ScheduledAt >= since || d.CompletedAt >= since)
            && d.ContentErasedAt == null && !d.Unsendable);

    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [WolverinePost("/api/eshops/{eshopId}/webhooks/{webhookId}/recover"), Tags("Deliveries"), EnableRateLimiting(WebhookRateLimits.Recover)]
    public static (Accepted<RecoverResponse>, Events, OutgoingMessages) Recover(string eshopId, RecoverInput? input,
        [WriteAggregate(Required = false)] Webhook? webhook)
    {
        var since = input!.Since!.Value;
        var id = webhook!.Id;
        return (TypedResults.Accepted($"/api/eshops/{eshopId}/webhooks/{id}/deliveries", new RecoverResponse(id, since, "started")),
            [new WebhookRecoveryStarted(since, DateTimeOffset.UtcNow)], [new RecoverWebhook(eshopId, id, since)]);
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
        var query = RecoverWebhookEndpoint.Recoverable(session, command.EshopId, command.WebhookId, command.Since);
        if (command.AfterScheduledAt is { } after)
            query = query.Where(d => d.ScheduledAt > after);
        // Only which ones, in order: the deliveries themselves are read below, for writing.
        var batch = await query.OrderBy(d => d.ScheduledAt).Take(RecoverWebhookEndpoint.BatchSize)
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
            messages.Add(AttemptDelivery.Next(delivery, requested.NextAttempt));
            redelivered++;
        }
        if (batch.Count == RecoverWebhookEndpoint.BatchSize)
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

using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine;
using Wolverine.Http;
using Ellity.Webhooks.Subscribing;

namespace Ellity.Webhooks.Delivering;

public sealed record RecoverInput(DateTimeOffset? Since);

public sealed record RecoverResponse(Guid WebhookId, DateTimeOffset Since, string Status);

/// <summary>Redeliver the failed deliveries of a webhook since a time, a batch at a time, oldest first.</summary>
public sealed record RecoverWebhook(string EshopId, Guid WebhookId, DateTimeOffset Since, DateTimeOffset? AfterScheduledAt = null);

public static class RedeliverEndpoint
{
    public const int RecoverBatchSize = 200;

    /// <summary>A finished delivery gets one more, manual attempt now, on the same stream.</summary>
    public static DeliveryRedeliveryRequested Decide(Delivery delivery, DateTimeOffset now) =>
        new(delivery.Attempts.Count + 1, now);

    [WolverinePost("/api/eshops/{eshopId}/deliveries/{deliveryId}/redeliver"), Tags("Deliveries")]
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

    [WolverinePost("/api/eshops/{eshopId}/webhooks/{webhookId}/recover"), Tags("Deliveries")]
    public static async Task<Results<Accepted<RecoverResponse>, ValidationProblem, ProblemHttpResult>> Recover(
        string eshopId, Guid webhookId, RecoverInput? input, IQuerySession session, IMessageBus bus, CancellationToken ct)
    {
        if (await WebhookLookup.Load(session, eshopId, webhookId, ct) is null) return WebhookLookup.NotFound(webhookId);
        if (input?.Since is not { } since || since > DateTimeOffset.UtcNow)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["since"] = ["A time in the past (ISO 8601) is required: failed deliveries scheduled since then are redelivered."],
            });

        await bus.PublishAsync(new RecoverWebhook(eshopId, webhookId, since));
        return TypedResults.Accepted($"/api/eshops/{eshopId}/webhooks/{webhookId}/deliveries",
            new RecoverResponse(webhookId, since, "started"));
    }

}

public static class RecoverWebhookHandler
{
    public static async Task<OutgoingMessages> Handle(RecoverWebhook command, IDocumentSession session, CancellationToken ct)
    {
        var messages = new OutgoingMessages();
        var query = session.Query<Delivery>().Where(d =>
            d.WebhookId == command.WebhookId && d.EshopId == command.EshopId
            && d.Status == DeliveryStatus.Failed && d.ScheduledAt >= command.Since && d.ContentErasedAt == null);
        if (command.AfterScheduledAt is { } after)
            query = query.Where(d => d.ScheduledAt > after);
        var batch = await query.OrderBy(d => d.ScheduledAt).Take(RedeliverEndpoint.RecoverBatchSize).ToListAsync(ct);

        var now = DateTimeOffset.UtcNow;
        foreach (var delivery in batch)
        {
            var requested = RedeliverEndpoint.Decide(delivery, now);
            session.Events.Append(delivery.Id, requested);
            messages.Add(new AttemptDelivery(delivery.Id, requested.NextAttempt, delivery.WebhookId));
        }
        if (batch.Count == RedeliverEndpoint.RecoverBatchSize)
            messages.Add(command with { AfterScheduledAt = batch[^1].ScheduledAt });
        return messages;
    }
}

public sealed record RedeliveryResponse(Guid DeliveryId, int Attempt);

using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine;
using Wolverine.Http;

namespace Ellity.Webhooks.Delivering;

public static class RedeliverEndpoint
{
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
}

public sealed record RedeliveryResponse(Guid DeliveryId, int Attempt);

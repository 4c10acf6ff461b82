namespace Ellity.Webhooks.Delivering;

public static class RedeliverEndpoint
{
    /// <summary>A finished delivery gets one more, manual attempt now, on the same stream.</summary>
    public static DeliveryRedeliveryRequested Decide(Delivery delivery, DateTimeOffset now) =>
        new(delivery.Attempts.Count + 1, now);

    public static async Task<ProblemDetails> ValidateAsync(Delivery? delivery, string eshopId, Guid deliveryId,
        IDocumentSession session, CancellationToken ct)
    {
        if (delivery is null || delivery.EshopId != eshopId)
            return DeliveryLookup.NotFound(deliveryId).ProblemDetails;
        if (delivery.Status == DeliveryStatus.Pending)
            return Problem(StatusCodes.Status409Conflict, "Delivery in progress",
                $"Delivery {deliveryId} is still being delivered; its next attempt is due at {delivery.NextAttemptAt:O}.");
        if (delivery.Unsendable)
            return Problem(StatusCodes.Status409Conflict, "Delivery cannot be sent",
                $"Delivery {deliveryId} could never be sent: {delivery.FailureReason}");
        if (delivery.ContentErasedAt is not null)
            return Problem(StatusCodes.Status409Conflict, "Delivery content erased",
                $"Delivery {deliveryId} can no longer be sent: its content was erased at {delivery.ContentErasedAt:O}.");
        if (await session.LoadAsync<Webhook>(delivery.WebhookId, ct) is null or { Deleted: true })
            return Problem(StatusCodes.Status409Conflict, "Webhook deleted",
                $"Delivery {deliveryId} can no longer be sent: its webhook {delivery.WebhookId} was deleted.");
        return WolverineContinue.NoProblems;
    }

    private static ProblemDetails Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail).ProblemDetails;

    [WolverinePost("/api/eshops/{eshopId}/deliveries/{deliveryId}/redeliver"), Tags("Deliveries"), EnableRateLimiting(WebhookRateLimits.Writes)]
    public static (Accepted<RedeliveryResponse>, Events, OutgoingMessages) Post(string eshopId,
        [WriteAggregate(Required = false)] Delivery? delivery)
    {
        var requested = Decide(delivery!, DateTimeOffset.UtcNow);
        return (TypedResults.Accepted($"/api/eshops/{eshopId}/deliveries/{delivery!.Id}", new RedeliveryResponse(delivery.Id, requested.NextAttempt)),
            [requested], [AttemptDelivery.Next(delivery, requested.NextAttempt)]);
    }
}

public sealed record RedeliveryResponse(Guid DeliveryId, int Attempt);

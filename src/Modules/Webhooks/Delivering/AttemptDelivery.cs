using Marten;

namespace Ellity.Webhooks.Delivering;

/// <summary>Make the next HTTP attempt of a delivery.</summary>
public sealed record AttemptDelivery(Guid DeliveryId);

public static class AttemptDeliveryHandler
{
    /// <summary>What an attempt's outcome means for the delivery. Retries come with a retry schedule.</summary>
    public static IReadOnlyList<object> Decide(DeliveryAttempted attempt, DateTimeOffset now) => attempt.Succeeded
        ? [attempt, new DeliverySucceeded(now, attempt.Number)]
        : [attempt, new DeliveryFailed(now, attempt.Number, attempt.Error ?? "The attempt failed.")];

    public static async Task Handle(AttemptDelivery command, IDocumentSession session, WebhookSender sender, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Delivery>(command.DeliveryId, ct);
        // A finished delivery, or one that is gone, needs nothing more: a redelivered message is harmless.
        if (stream.Aggregate is not { Status: DeliveryStatus.Pending } delivery) return;

        var attempt = await sender.SendAsync(delivery.Request, delivery.Attempts.Count + 1, ct);
        stream.AppendMany(Decide(attempt, DateTimeOffset.UtcNow));
    }
}

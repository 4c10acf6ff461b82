using Microsoft.Extensions.Logging;

namespace Ellity.Webhooks.Delivering;

/// <summary>
/// An attempt message that failed past every retry Wolverine makes (the database away for longer than its schedule,
/// a document that no longer reads) is dead-lettered: its delivery ends failed here, instead of staying pending with
/// nothing queued for it.
/// </summary>
public static partial class DeadLetteredAttemptHandler
{
    public static async Task Handle(Fault<AttemptDelivery> fault, IDocumentSession session, DeliveryTelemetry telemetry,
        ILogger<AttemptDelivery> logger, CancellationToken ct)
    {
        // The exception's text stays in the operator's log: it can name internals the shop has no business seeing.
        var reason = $"Ended after an internal error ({fault.Exception.Type}) that retrying did not cure; the delivery can be redelivered.";
        var id = fault.Message.DeliveryId;
        if (fault.Message.Plan is { } plan && await session.Events.FetchStreamStateAsync(id, ct) is null)
        {
            // A first attempt that never got its stream written starts it here, ended, so it is not lost either.
            var never = new DeliveryFailed(DateTimeOffset.UtcNow, 0, reason, plan.WebhookId);
            session.Events.StartStream<Delivery>(id, plan, never);
            telemetry.Ended(Delivery.Create(plan), false, never.At);
            LogDeadLettered(logger, id, fault.Message.Attempt, fault.Exception.Type, fault.Exception.Message);
            return;
        }
        var stream = await session.Events.FetchForWriting<Delivery>(id, ct);
        if (stream.Aggregate is not { Status: DeliveryStatus.Pending } delivery || delivery.NextAttempt != fault.Message.Attempt) return;
        var failed = new DeliveryFailed(DateTimeOffset.UtcNow, delivery.Attempts.Count, reason, delivery.WebhookId);
        stream.AppendOne(failed);
        telemetry.Ended(delivery, false, failed.At);
        LogDeadLettered(logger, delivery.Id, fault.Message.Attempt, fault.Exception.Type, fault.Exception.Message);
    }

    [LoggerMessage(LogLevel.Error, "Delivery {DeliveryId} attempt {Attempt} was dead-lettered after {ExceptionType}: {ExceptionMessage}")]
    private static partial void LogDeadLettered(ILogger logger, Guid deliveryId, int attempt, string exceptionType, string exceptionMessage);
}

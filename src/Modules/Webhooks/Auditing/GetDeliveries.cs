namespace Ellity.Webhooks.Auditing;

public sealed record AttemptResponse(
    int Number, DateTimeOffset StartedAt, long DurationMs, int? StatusCode, string? Error,
    string? ResponseBody, bool ResponseBodyTruncated, string Trigger);

public sealed record DeliveryResponse(
    Guid Id, Guid WebhookId, string Trigger, Guid SourceEventId, DateTimeOffset SourceOccurredAt,
    string Status, DateTimeOffset ScheduledAt, DateTimeOffset? CompletedAt, DateTimeOffset? NextAttemptAt,
    DeliveryRequest Request, IReadOnlyList<AttemptResponse> Attempts, DateTimeOffset? ContentErasedAt, bool Test,
    string? FailureReason)
{
    public static DeliveryResponse From(Delivery d) => new(
        d.Id, d.WebhookId, d.Trigger, d.SourceEventId, d.SourceOccurredAt,
        d.Status.ToString().ToLowerInvariant(), d.ScheduledAt, d.CompletedAt,
        d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : null, d.Request,
        d.Attempts.Select(a => new AttemptResponse(
            a.Number, a.StartedAt, a.DurationMs, a.StatusCode, a.Error, a.ResponseBody, a.ResponseBodyTruncated,
            a.Manual ? "manual" : "scheduled")).ToList(), d.ContentErasedAt, d.Test, d.FailureReason);
}

public sealed record DeliveryEventResponse(long Version, string Type, DateTimeOffset Timestamp, object Data);

public static class GetDeliveriesEndpoint
{
    /// <summary>The delivery now, or as it was at <c>asOf</c> (a version of its stream or a time), folded from its events.</summary>
    [WolverineGet("/api/eshops/{eshopId}/deliveries/{deliveryId}"), Tags("Deliveries")]
    public static async Task<Results<Ok<DeliveryResponse>, ValidationProblem, ProblemHttpResult>> Get(
        string eshopId, Guid deliveryId, string? asOf, IQuerySession session, CancellationToken ct)
    {
        if (!AsOf.TryParse(asOf, out var point))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["asOf"] = [AsOf.Rule] });
        if (await Load(session, eshopId, deliveryId, ct) is not { } delivery) return NotFound(deliveryId);
        if (point is null) return TypedResults.Ok(DeliveryResponse.From(delivery));
        return await point.AggregateAsync<Delivery>(session, deliveryId, ct) is { } past
            ? TypedResults.Ok(DeliveryResponse.From(past))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Delivery not found",
                detail: $"Delivery {deliveryId} did not exist yet at {asOf}.");
    }

    /// <summary>The delivery's raw event stream, as an auditor would replay it.</summary>
    [WolverineGet("/api/eshops/{eshopId}/deliveries/{deliveryId}/events"), Tags("Deliveries")]
    public static async Task<Results<Ok<IReadOnlyList<DeliveryEventResponse>>, ProblemHttpResult>> GetEvents(
        string eshopId, Guid deliveryId, IQuerySession session, CancellationToken ct)
    {
        if (await Load(session, eshopId, deliveryId, ct) is null) return NotFound(deliveryId);
        var events = await session.Events.FetchStreamAsync(deliveryId, token: ct);
        return TypedResults.Ok<IReadOnlyList<DeliveryEventResponse>>(events
            .Select(e => new DeliveryEventResponse(e.Version, e.EventTypeName, e.Timestamp, e.Data))
            .ToList());
    }

    private static async Task<Delivery?> Load(IQuerySession session, string eshopId, Guid deliveryId, CancellationToken ct)
    {
        var delivery = await session.LoadAsync<Delivery>(deliveryId, ct);
        return delivery?.EshopId == eshopId ? delivery : null;
    }

    private static ProblemHttpResult NotFound(Guid deliveryId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Delivery not found",
        detail: $"No delivery {deliveryId} in this e-shop.");
}

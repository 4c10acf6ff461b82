using Ellity.Webhooks.Delivering;
using Ellity.Webhooks.Dispatching;
using Ellity.Webhooks.Subscribing;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Http;

namespace Ellity.Webhooks.Auditing;

public sealed record AttemptResponse(
    int Number, DateTimeOffset StartedAt, long DurationMs, int? StatusCode, string? Error,
    string? ResponseBody, bool ResponseBodyTruncated, string Trigger);

public sealed record DeliveryResponse(
    Guid Id, Guid WebhookId, string Trigger, Guid SourceEventId, DateTimeOffset SourceOccurredAt,
    string Status, DateTimeOffset ScheduledAt, DateTimeOffset? CompletedAt, DateTimeOffset? NextAttemptAt,
    DeliveryRequest Request, IReadOnlyList<AttemptResponse> Attempts)
{
    public static DeliveryResponse From(Delivery d) => new(
        d.Id, d.WebhookId, d.Trigger, d.SourceEventId, d.SourceOccurredAt,
        d.Status.ToString().ToLowerInvariant(), d.ScheduledAt, d.CompletedAt,
        d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : null, d.Request,
        d.Attempts.Select(a => new AttemptResponse(
            a.Number, a.StartedAt, a.DurationMs, a.StatusCode, a.Error, a.ResponseBody, a.ResponseBodyTruncated,
            a.Manual ? "manual" : "scheduled")).ToList());
}

public sealed record DeliveryEventResponse(long Version, string Type, DateTimeOffset Timestamp, object Data);

public static class GetDeliveriesEndpoint
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    [WolverineGet("/api/eshops/{eshopId}/webhooks/{webhookId}/deliveries"), Tags("Deliveries")]
    public static async Task<Results<Ok<IReadOnlyList<DeliveryResponse>>, ProblemHttpResult>> GetForWebhook(
        string eshopId, Guid webhookId, int? limit, IQuerySession session, CancellationToken ct)
    {
        if (await WebhookLookup.Load(session, eshopId, webhookId, ct) is null) return WebhookLookup.NotFound(webhookId);
        if (limit is < 1 or > MaxLimit)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid limit", detail: $"limit must be between 1 and {MaxLimit}.");

        var deliveries = await session.Query<Delivery>()
            .Where(d => d.WebhookId == webhookId && d.EshopId == eshopId)
            .OrderByDescending(d => d.ScheduledAt)
            .Take(limit ?? DefaultLimit)
            .ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<DeliveryResponse>>(deliveries.Select(DeliveryResponse.From).ToList());
    }

    [WolverineGet("/api/eshops/{eshopId}/deliveries/{deliveryId}"), Tags("Deliveries")]
    public static async Task<Results<Ok<DeliveryResponse>, ProblemHttpResult>> Get(
        string eshopId, Guid deliveryId, IQuerySession session, CancellationToken ct) =>
        await Load(session, eshopId, deliveryId, ct) is { } delivery
            ? TypedResults.Ok(DeliveryResponse.From(delivery))
            : NotFound(deliveryId);

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

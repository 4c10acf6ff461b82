using System.Text.Json.Nodes;

namespace Ellity.Tests.Infrastructure;

/// <summary>
/// A delivery as the API answers it, read by the names of its JSON contract (not through the module's own response type,
/// so a renamed field fails here as it would for a client).
/// </summary>
public sealed record DeliveryView(Guid Id, Guid WebhookId, string Status, string? FailureReason, IReadOnlyList<AttemptView> Attempts,
    RequestView Request, DateTimeOffset ScheduledAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? CompletedAt,
    DateTimeOffset? ContentErasedAt, bool Test, string? FailureKind = null, ExplanationView? Explanation = null);

public sealed record AttemptView(int Number, string Trigger, DateTimeOffset StartedAt, int? StatusCode, string? Error,
    string? ResponseBody, bool ResponseBodyTruncated, string? FailureKind = null, ExplanationView? Explanation = null);

/// <summary>Why something failed in plain words, and what to do about it.</summary>
public sealed record ExplanationView(string Text, string Fix);

/// <summary>The request a delivery sends, as recorded.</summary>
public sealed record RequestView(string Method, string Url, string? Body);

/// <summary>A page of a delivery log.</summary>
public sealed record DeliveryPageView(IReadOnlyList<DeliveryView> Items, string? NextCursor);

/// <summary>One event of a delivery's stream, without its data.</summary>
public sealed record DeliveryEventView(long Version, string Type);

/// <summary>Small domain assertions over the delivery log, instead of chains of JSON look-ups.</summary>
public static class DeliveryAssertions
{
    public static DeliveryView AsDelivery(this JsonNode node) => node.ReadAs<DeliveryView>();

    public static IReadOnlyList<DeliveryView> AsDeliveries(this JsonArray deliveries) => deliveries.ReadAs<List<DeliveryView>>();

    public static DeliveryPageView AsDeliveryPage(this JsonNode node) => node.ReadAs<DeliveryPageView>();

    public static IReadOnlyList<DeliveryEventView> AsDeliveryEvents(this JsonNode node) => node.ReadAs<List<DeliveryEventView>>();

    public static void ShouldHaveSucceeded(this DeliveryView delivery, params int?[] statusCodes)
    {
        Assert.True(delivery.Status == "succeeded", $"Delivery {delivery.Id} is {delivery.Status}: {delivery.FailureReason}");
        if (statusCodes.Length > 0) delivery.ShouldHaveAttempts(statusCodes);
    }

    public static void ShouldHaveFailed(this DeliveryView delivery, string because)
    {
        Assert.True(delivery.Status == "failed", $"Delivery {delivery.Id} is {delivery.Status}, not failed");
        Assert.Contains(because, delivery.FailureReason);
    }

    /// <summary>The attempts made, by the status code each got (null: no answer).</summary>
    public static void ShouldHaveAttempts(this DeliveryView delivery, params int?[] statusCodes) =>
        Assert.Equal(statusCodes, delivery.Attempts.Select(a => a.StatusCode));

    /// <summary>The receiver answered the attempt with this status and this body.</summary>
    public static void ShouldHaveBeenAnswered(this AttemptView attempt, int statusCode, string responseBody)
    {
        Assert.Equal(statusCode, attempt.StatusCode);
        Assert.Equal(responseBody, attempt.ResponseBody);
    }
}

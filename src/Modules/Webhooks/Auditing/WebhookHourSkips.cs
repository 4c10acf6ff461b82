using Marten.Schema;

namespace Ellity.Webhooks.Auditing;

/// <summary>
/// One hour of one webhook's skipped events: how many its conditions kept from being sent, and why the last one was.
/// Kept apart from <see cref="WebhookHourStatistics"/>, which the async daemon writes whole, so neither overwrites the other.
/// </summary>
public sealed class WebhookHourSkips
{
    public string Id { get; set; } = "";
    public Guid WebhookId { get; set; }
    public DateTimeOffset Hour { get; set; }
    public int Skipped { get; set; }
    public DateTimeOffset? LastAt { get; set; }
    public Guid? LastEventId { get; set; }
    public string? LastUnmet { get; set; }

    /// <summary>Checked on every write: two pages counted at once on any node, one retries instead of losing the other's count.</summary>
    [Version]
    public Guid Version { get; set; }
}

public static class CountSkippedEventsHandler
{
    public static async Task Handle(WebhookEventsSkipped skipped, IDocumentSession session, CancellationToken ct)
    {
        var id = WebhookHourStatistics.IdFor(skipped.WebhookId, skipped.At);
        var hour = await session.LoadAsync<WebhookHourSkips>(id, ct);
        var counted = hour ?? new WebhookHourSkips { Id = id, WebhookId = skipped.WebhookId, Hour = WebhookHourStatistics.HourOf(skipped.At) };
        counted.Skipped += skipped.Count;
        if (counted.LastAt is null || skipped.At >= counted.LastAt)
            (counted.LastAt, counted.LastEventId, counted.LastUnmet) = (skipped.At, skipped.LastEventId, skipped.LastUnmet);
        if (hour is null) session.Insert(counted);
        else session.Update(counted);
    }
}

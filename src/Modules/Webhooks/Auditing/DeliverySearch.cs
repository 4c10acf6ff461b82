using System.Globalization;
using System.Text;

namespace Ellity.Webhooks.Auditing;

public sealed record DeliveryPage(IReadOnlyList<DeliveryResponse> Items, string? NextCursor);

/// <summary>
/// Searching a delivery log, newest first, filtered, a page at a time. The cursor is the last page's oldest time plus
/// how many deliveries at exactly that time were already shown, so deliveries added meanwhile (all newer) never shift
/// or repeat what the next page returns.
/// </summary>
public static class DeliverySearch
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public sealed record Filter(
        Guid? WebhookId, DeliveryStatus? Status, string? Trigger, int? StatusCode, DateTimeOffset? From, DateTimeOffset? To,
        int Limit, Cursor? Position)
    {
        public static Filter? Parse(Guid? webhookId, string? status, string? trigger, int? statusCode,
            DateTimeOffset? from, DateTimeOffset? to, int? limit, string? cursor, out Dictionary<string, string[]> errors)
        {
            errors = [];
            DeliveryStatus? wanted = null;
            if (status is not null)
            {
                if (Enum.TryParse<DeliveryStatus>(status, ignoreCase: true, out var parsed)) wanted = parsed;
                else errors["status"] = ["One of pending, succeeded, failed."];
            }
            if (limit is < 1 or > MaxLimit) errors["limit"] = [$"Between 1 and {MaxLimit}."];
            if (from >= to) errors["from"] = ["Must be earlier than 'to'."];
            var position = cursor is null ? null : Cursor.Parse(cursor);
            if (cursor is not null && position is null) errors["cursor"] = ["Not a cursor this API returned."];
            return errors.Count > 0
                ? null
                : new Filter(webhookId, wanted, trigger, statusCode, from, to, limit ?? DefaultLimit, position);
        }
    }

    public static async Task<DeliveryPage> Search(IQuerySession session, string eshopId, Filter filter, CancellationToken ct)
    {
        var query = session.Query<Delivery>().Where(d => d.EshopId == eshopId);
        if (filter.Status is { } s) query = query.Where(d => d.Status == s);
        if (filter.Trigger is { } trigger) query = query.Where(d => d.Trigger == trigger);
        if (filter.StatusCode is { } code) query = query.Where(d => d.LastStatusCode == code);
        if (filter.WebhookId is { } w) query = query.Where(d => d.WebhookId == w);
        if (filter.From is { } f) query = query.Where(d => d.ScheduledAt >= f);
        if (filter.To is { } t) query = query.Where(d => d.ScheduledAt < t);
        var position = filter.Position;
        if (position is { } p) query = query.Where(d => d.ScheduledAt <= p.At);

        var take = filter.Limit;
        var rows = await query.OrderByDescending(d => d.ScheduledAt).ThenByDescending(d => d.Id)
            .Skip(position?.SeenAtSameTime ?? 0).Take(take + 1).ToListAsync(ct);
        var items = rows.Take(take).ToList();

        string? next = null;
        if (rows.Count > take)
        {
            var oldest = items[^1].ScheduledAt;
            var seen = items.Count(d => d.ScheduledAt == oldest)
                + (position is { } prev && prev.At == oldest ? prev.SeenAtSameTime : 0);
            next = new Cursor(oldest, seen).ToString();
        }
        return new DeliveryPage(items.Select(DeliveryResponse.From).ToList(), next);
    }

    public sealed record Cursor(DateTimeOffset At, int SeenAtSameTime)
    {
        public override string ToString() =>
            Convert.ToBase64String(Encoding.ASCII.GetBytes($"{At.UtcTicks}.{SeenAtSameTime}"));

        public static Cursor? Parse(string text)
        {
            try
            {
                var parts = Encoding.ASCII.GetString(Convert.FromBase64String(text)).Split('.');
                return parts.Length == 2
                    && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                    && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seen)
                    && ticks <= DateTimeOffset.MaxValue.UtcTicks
                    ? new Cursor(new DateTimeOffset(ticks, TimeSpan.Zero), seen)
                    : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }
}

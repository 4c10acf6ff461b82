using System.Globalization;

namespace Ellity.Webhooks;

/// <summary>
/// A past point of a stream, as an auditor names it: a stream version (<c>?asOf=3</c>) or a moment
/// (<c>?asOf=2026-11-27T10:00:00Z</c>).
/// </summary>
public sealed record AsOf(long? Version, DateTimeOffset? Timestamp)
{
    public const string Rule = "A stream version (a whole number from 1) or an ISO 8601 time (UTC unless it has an offset), e.g. 2026-11-27T10:00:00Z.";

    public static bool TryParse(string? text, out AsOf? asOf)
    {
        asOf = null;
        if (text is null) return true;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            if (version < 1) return false;
            asOf = new AsOf(version, null);
            return true;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            asOf = new AsOf(null, at);
            return true;
        }
        return false;
    }

    /// <summary>The aggregate folded from the stream's events up to this point; null if it did not exist yet.</summary>
    public Task<T?> AggregateAsync<T>(IQuerySession session, Guid streamId, CancellationToken ct) where T : class =>
        session.Events.AggregateStreamAsync<T>(streamId, version: Version ?? 0, timestamp: Timestamp, token: ct);
}

using Npgsql;
using Weasel.Postgresql.Tables;

namespace Ellity.Webhooks.Delivering;

/// <summary>
/// Spaces the requests of a webhook with a <see cref="DeliveryRateLimit"/> one <see cref="DeliveryRateLimit.Interval"/> apart, on every
/// node sharing the database: each request reserves the next free slot in one statement on the webhook's row (a generic
/// cell rate algorithm, on the database's clock), so two nodes can never take the same slot. A slot within
/// <see cref="Horizon"/> is waited for in the attempt; a later one puts the attempt back, due a moment before its slot,
/// holding it. A slot never used (a crash, a receiver that fails) is lost, which only ever makes the webhook slower.
/// </summary>
public sealed class DeliveryPacing(IDocumentStore store)
{
    public const string Table = "delivery_pacing";

    /// <summary>
    /// How far ahead a slot is waited for in the attempt: longer than the scheduled messages' polling (a second), so an
    /// attempt put back wakes before its slot and goes out on time, not together with the others due in the same poll.
    /// </summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromSeconds(1.5);

    /// <summary>
    /// How late an attempt may be for its slot and still use it; later (it woke late, or waited for a free sender), it takes
    /// a new one, so that late attempts cannot go out together in a burst.
    /// </summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(25);

    /// <summary>The slot this attempt sends at: the one it holds, if it still may use it, or the next free one.</summary>
    public async Task<DateTimeOffset> SlotAsync(Guid webhookId, DeliveryRateLimit limit, DateTimeOffset? held, CancellationToken ct)
    {
        if (held is { } slot && DateTimeOffset.UtcNow <= slot + Grace) return slot;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        // The seconds from the statement (the database's clock) to the reserved slot, added to the local clock once the answer
        // is back: never earlier than the slot, whatever the round trip took.
        await using var reserve = new NpgsqlCommand(
            $"""
             insert into {WebhooksModule.Schema}.{Table} as p (webhook_id, next_at) values ($1, clock_timestamp() + $2)
             on conflict (webhook_id) do update set next_at = greatest(p.next_at, clock_timestamp()) + $2
             returning extract(epoch from (p.next_at - $2 - clock_timestamp()))::float8
             """, connection) { Parameters = { new() { Value = webhookId }, new() { Value = limit.Interval } } };
        var seconds = (double)(await reserve.ExecuteScalarAsync(ct))!;
        return DateTimeOffset.UtcNow + TimeSpan.FromSeconds(Math.Max(0, seconds));
    }

    /// <summary>
    /// Waits for <paramref name="slot"/>; null when the request may go now. Late for it (the attempt waited for a sender, or
    /// the wait itself overran on a busy machine), it takes a new one, so that late requests do not go out together; a new
    /// slot too far away, or late three times, is when to put the attempt back instead, and the slot it then holds.
    /// </summary>
    public async Task<(DateTimeOffset At, DateTimeOffset? Holding)?> WaitAsync(Guid webhookId, DeliveryRateLimit limit, DateTimeOffset slot,
        CancellationToken ct)
    {
        for (var tries = 0; tries < 3; tries++)
        {
            if (DateTimeOffset.UtcNow > slot + Grace) slot = await SlotAsync(webhookId, limit, null, ct);
            if (slot - DateTimeOffset.UtcNow > Horizon) return (slot - Horizon, slot);
            if (slot - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero) await Task.Delay(wait, ct);
            if (DateTimeOffset.UtcNow <= slot + Grace) return null;
        }
        return (DateTimeOffset.UtcNow + AttemptDeliveryHandler.BusyDelay, null);
    }

    /// <summary>The table of next free slots, one row per webhook that has sent with a rate limit; Marten creates it with its own.</summary>
    public static Table Schema()
    {
        var table = new Table(new Weasel.Postgresql.PostgresqlObjectName(WebhooksModule.Schema, Table, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("webhook_id").AsPrimaryKey();
        table.AddColumn("next_at", "timestamptz").NotNull();
        return table;
    }
}

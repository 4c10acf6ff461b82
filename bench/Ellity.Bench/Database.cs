using Npgsql;

namespace Ellity.Bench;

/// <summary>What the delivery streams of a scenario's database hold after the run.</summary>
/// <param name="Streams">Delivery streams (one per event and webhook).</param>
/// <param name="Audited">Streams with their DeliveryScheduled, at least one DeliveryAttempted and exactly one DeliverySucceeded.</param>
/// <param name="AttemptMessages">
/// AttemptDelivery messages the Host handled in the last 5 minutes (Wolverine keeps handled ones that long): attempts,
/// plus the ones that found their webhook at its in-flight cap and were put back for 500 ms.
/// </param>
public sealed record DeliveryAudit(long Streams, long Audited, long Attempts, long Succeeded, long Failed, long Pending,
    long CircuitOpenAttempts, long AttemptMessages)
{
    /// <summary>What happened after <paramref name="before"/> was taken, when every delivery counted then had finished.</summary>
    public DeliveryAudit Since(DeliveryAudit before) => new(Streams - before.Streams, Audited - before.Audited,
        Attempts - before.Attempts, Succeeded - before.Succeeded, Failed - before.Failed, Pending - before.Pending,
        CircuitOpenAttempts - before.CircuitOpenAttempts, AttemptMessages - before.AttemptMessages);
}

/// <summary>Queries of a scenario's database and of the PostgreSQL server; the Host's own tables, read-only.</summary>
public sealed class Database(string connectionString)
{
    public string ConnectionString => connectionString;
    public string Name => new NpgsqlConnectionStringBuilder(connectionString).Database!;

    /// <summary>A fresh, empty database named <paramref name="name"/> on the server of <paramref name="server"/>.</summary>
    public static async Task<Database> CreateAsync(string server, string name)
    {
        await using (var admin = await OpenAsync(server))
        {
            await Execute(admin, $"drop database if exists {name} with (force)");
            await Execute(admin, $"create database {name}");
        }
        return new Database(new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString);
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await OpenAsync(connectionString);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Vacuums and analyzes the database: after a setup that wrote a large history, so that autovacuum's catching up
    /// does not land in a measured phase, which counts PostgreSQL's CPU.
    /// </summary>
    public async Task VacuumAsync()
    {
        await using var connection = await OpenAsync(connectionString);
        await using var command = new NpgsqlCommand("vacuum (analyze)", connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The postmaster's pid (the parent of this connection's backend), to count all of PostgreSQL's CPU.</summary>
    public async Task<int> PostmasterPidAsync() => ProcessStats.ParentOf(await ScalarAsync<int>("select pg_backend_pid()"));

    public async Task<Dictionary<string, string>> ServerSettingsAsync()
    {
        var settings = new Dictionary<string, string>();
        await using var connection = await OpenAsync(connectionString);
        foreach (var name in new[] { "server_version", "fsync", "synchronous_commit", "full_page_writes", "shared_buffers", "max_connections" })
        {
            await using var command = new NpgsqlCommand($"show {name}", connection);
            settings[name] = (string)(await command.ExecuteScalarAsync())!;
        }
        return settings;
    }

    /// <summary>
    /// True when the Host has nothing left to do: the customer-events subscription and the async projections
    /// have caught up (the daemon's own HighWater* marks are not projections) and no durable message waits
    /// (handled ones are kept a while to spot duplicates; they do not count).
    /// </summary>
    public async Task<bool> IsIdleAsync() => await ScalarAsync<bool>(
        """
        select coalesce((select max(seq_id) from events.mt_events), 0)
                 <= coalesce((select min(last_seq_id) from events.mt_event_progression where name not like 'HighWater%'), 0)
           and not exists (select 1 from wolverine.wolverine_incoming_envelopes where status <> 'Handled')
           and not exists (select 1 from wolverine.wolverine_outgoing_envelopes)
        """);

    public async Task WaitUntilIdleAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!await IsIdleAsync())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The Host was still busy after {limit}.");
            await Task.Delay(250);
        }
    }

    /// <summary>The committed events of one type: ids and commit times (PostgreSQL's, in microseconds).</summary>
    public async Task<Dictionary<Guid, DateTime>> EventsAsync(string type)
    {
        var events = new Dictionary<Guid, DateTime>();
        await using var connection = await OpenAsync(connectionString);
        await using var command = new NpgsqlCommand("select id, timestamp from events.mt_events where type = @type", connection);
        command.Parameters.AddWithValue("type", type);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) events[reader.GetGuid(0)] = reader.GetFieldValue<DateTimeOffset>(1).UtcDateTime;
        return events;
    }

    public async Task<long> CountEventsAsync(string type)
    {
        await using var connection = await OpenAsync(connectionString);
        await using var command = new NpgsqlCommand("select count(*) from events.mt_events where type = @type", connection);
        command.Parameters.AddWithValue("type", type);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public Task<long> PendingDeliveriesAsync() =>
        ScalarAsync<long>("select count(*) from webhooks.mt_doc_delivery where data->>'status' = 'Pending'");

    public async Task<DeliveryAudit> AuditAsync()
    {
        await using var connection = await OpenAsync(connectionString);
        await using var command = new NpgsqlCommand(
            """
            with streams as (
                select stream_id,
                       count(*) filter (where type = 'delivery_scheduled') as scheduled,
                       count(*) filter (where type = 'delivery_attempted') as attempted,
                       count(*) filter (where type = 'delivery_succeeded') as succeeded,
                       count(*) filter (where type = 'delivery_failed') as failed,
                       count(*) filter (where type = 'delivery_attempted' and data->>'error' like '%circuit open%') as circuit_open
                from events.mt_events where type like 'delivery\_%'
                group by stream_id)
            select count(*),
                   count(*) filter (where scheduled = 1 and attempted >= 1 and succeeded = 1),
                   coalesce(sum(attempted), 0)::bigint,
                   count(*) filter (where succeeded >= 1),
                   count(*) filter (where failed >= 1),
                   count(*) filter (where succeeded = 0 and failed = 0),
                   coalesce(sum(circuit_open), 0)::bigint,
                   (select count(*) from wolverine.wolverine_incoming_envelopes
                    where message_type = 'Ellity.Webhooks.Delivering.AttemptDelivery' and status = 'Handled')
            from streams
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new DeliveryAudit(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
            reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7));
    }

    /// <summary>Transactions committed and rolled back in this database so far (PostgreSQL's statistics).</summary>
    public async Task<long> TransactionsAsync()
    {
        await using var connection = await OpenAsync(connectionString);
        // Statistics are flushed by each backend at most once a second: ask for a fresh snapshot.
        await using (var clear = new NpgsqlCommand("select pg_stat_clear_snapshot()", connection)) await clear.ExecuteNonQueryAsync();
        await using var command = new NpgsqlCommand(
            "select xact_commit + xact_rollback from pg_stat_database where datname = current_database()", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<NpgsqlConnection> OpenAsync(string cs)
    {
        var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

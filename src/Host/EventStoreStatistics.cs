using Marten;
using Npgsql;

namespace Ellity.Host;

/// <summary>
/// Sees that PostgreSQL has planner statistics on the event table. The async daemon asks for the events above its
/// high-water mark up to twenty times a second; with no statistics the planner guesses that a third of the table
/// qualifies and reads all of it, on every poll, so each poll costs more as the events pile up (bench/README.md).
/// Autovacuum analyzes a table only once it gets round to the database, a minute or more after it is created, and
/// after <c>pg_upgrade</c> only when a tenth of the table has changed. Any statistics will do: for values past the
/// last one analyzed, the planner reads the index's end.
/// </summary>
public sealed partial class EventStoreStatistics(IDocumentStore store, ILogger<EventStoreStatistics> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private const string Table = "mt_events";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await using var connection = store.Storage.Database.CreateConnection();
                await connection.OpenAsync(stoppingToken);
                await using var check = new NpgsqlCommand(
                    "select to_regclass($1) is not null and not exists (select 1 from pg_stats where schemaname = $2 and tablename = $3)",
                    connection) { Parameters = { new() { Value = $"{schema}.{Table}" }, new() { Value = schema }, new() { Value = Table } } };
                if (await check.ExecuteScalarAsync(stoppingToken) is not true) continue;
                await using var empty = new NpgsqlCommand($"select not exists (select 1 from {schema}.{Table})", connection);
                if (await empty.ExecuteScalarAsync(stoppingToken) is true) continue;
                await using var analyze = new NpgsqlCommand($"analyze {schema}.{Table}", connection);
                await analyze.ExecuteNonQueryAsync(stoppingToken);
                LogAnalyzed(logger, $"{schema}.{Table}");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database may be away, or the role may not own the table: the next tick tries again.
                LogFailed(logger, e, $"{schema}.{Table}");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(LogLevel.Information, "Analyzed {Table}: PostgreSQL had no planner statistics on it")]
    private static partial void LogAnalyzed(ILogger logger, string table);

    [LoggerMessage(LogLevel.Debug, "Could not look at or analyze {Table}")]
    private static partial void LogFailed(ILogger logger, Exception e, string table);
}

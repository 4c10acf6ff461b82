using Ellity.Host;
using Ellity.Tests.Infrastructure;
using Npgsql;

namespace Ellity.Tests.Operations;

/// <summary>
/// Without planner statistics on the event table, every high-water poll of the async daemon reads the whole table
/// (see EventStoreStatistics). A new database has none until autovacuum gets to it, one moved with pg_upgrade none
/// until a tenth of it changes.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class EventStoreStatisticsTests(AppFixture app)
{
    [Fact]
    public async Task an_event_table_without_planner_statistics_is_analyzed_by_the_host()
    {
        var eshop = await app.NewEshopAsync();
        await app.RegisterCustomerAsync(eshop);
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        // Only the Host may bring them back within the test: autovacuum is kept off the table meanwhile.
        await ExecuteAsync(connection, "alter table events.mt_events set (autovacuum_enabled = false)");
        try
        {
            await ExecuteAsync(connection, "delete from pg_statistic where starelid = 'events.mt_events'::regclass");
            Assert.False(await HasStatisticsAsync(connection));

            var deadline = DateTime.UtcNow + EventStoreStatistics.Interval * 3;
            while (!await HasStatisticsAsync(connection) && DateTime.UtcNow < deadline) await Task.Delay(250);
            Assert.True(await HasStatisticsAsync(connection),
                $"events.mt_events still had no planner statistics {EventStoreStatistics.Interval * 3} after they were removed.");
        }
        finally
        {
            await ExecuteAsync(connection, "alter table events.mt_events reset (autovacuum_enabled)");
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<bool> HasStatisticsAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(
            "select exists (select 1 from pg_stats where schemaname = 'events' and tablename = 'mt_events' and attname = 'seq_id')", connection);
        return (bool)(await command.ExecuteScalarAsync())!;
    }
}

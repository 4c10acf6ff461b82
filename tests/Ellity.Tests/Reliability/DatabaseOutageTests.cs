using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ellity.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Ellity.Tests.Reliability;

/// <summary>PostgreSQL goes away for about ten seconds under load; the Host must carry on by itself.</summary>
[Collection(ProcessCollection.Name)]
public sealed class DatabaseOutageTests(ITestOutputHelper output)
{
    private const string Cluster = "outage";

    private static string Script(params string[] args)
    {
        var start = new ProcessStartInfo("bash", ["scripts/postgres.sh", .. args])
        {
            WorkingDirectory = TestPostgres.RepositoryRoot(),
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"scripts/postgres.sh {string.Join(' ', args)} failed");
        return stdout.Trim();
    }

    private static async Task<bool> Reachable(string connectionString)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false;Timeout=2");
            await connection.OpenAsync();
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    [Fact]
    public async Task the_host_recovers_from_a_database_outage_without_a_restart_and_loses_nothing()
    {
        var port = ScriptedReceiver.FreePort();
        var server = Script("start", Cluster, port.ToString());
        var database = $"ellity_outage_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand($"CREATE DATABASE {database}", admin).ExecuteNonQueryAsync();
        }
        var db = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        var seen = new ConcurrentBag<string>();
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) =>
        {
            seen.Add(c.Request.Headers["webhook-id"].ToString());
            return Task.CompletedTask;
        });

        try
        {
            await using var host = await HostProcess.StartAsync(db, ScriptedReceiver.FreePort());
            var eshop = await host.NewEshopAsync();
            var webhook = (await Post(host, $"/api/eshops/{eshop}/webhooks", new
            {
                name = "outage", trigger = "customer.credit.changed", url = receiver.Url, retrySchedule = new[] { 1, 2, 5, 10 },
            }))!.AsCreatedWebhook().Id;
            var customers = new List<Guid>();
            for (var n = 0; n < 10; n++)
                customers.Add((await Post(host, $"/api/eshops/{eshop}/customers", new { email = $"o{n}@example.cz" }))!.AsCustomer().Id);

            var statuses = new ConcurrentDictionary<int, int>();
            using var stopLoad = new CancellationTokenSource();
            var load = Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
            {
                for (var n = 0; !stopLoad.IsCancellationRequested; n++)
                {
                    try
                    {
                        using var response = await host.Client.PostAsJsonAsync(
                            $"{host.Url}/api/eshops/{eshop}/customers/{customers[(worker + n) % customers.Count]}/credit", new { value = 1 });
                        statuses.AddOrUpdate((int)response.StatusCode, 1, (_, c) => c + 1);
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        statuses.AddOrUpdate(0, 1, (_, c) => c + 1);
                    }
                    await Task.Delay(20);
                }
            })));

            await Task.Delay(TimeSpan.FromSeconds(4));
            Script("stop", Cluster);
            Assert.False(await Reachable(db), "the database was still reachable after stopping it");
            await Task.Delay(TimeSpan.FromSeconds(2));
            // Readiness is public: it says the database is away, never where it lives.
            using (var anonymous = new HttpClient())
            using (var ready = await anonymous.GetAsync(host.Url + "/health/ready"))
            {
                var report = await ready.Content.ReadAsStringAsync();
                Assert.Equal(503, (int)ready.StatusCode);
                Assert.Contains("PostgreSQL does not answer", report);
                Assert.DoesNotContain($":{port}", report);
                Assert.DoesNotContain($"Port={port}", report);
                Assert.DoesNotContain("127.0.0.1", report);
            }
            await Task.Delay(TimeSpan.FromSeconds(8));
            Script("start", Cluster, port.ToString());
            await Task.Delay(TimeSpan.FromSeconds(4));
            stopLoad.Cancel();
            await load;
            output.WriteLine("HTTP statuses during the run: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));

            var committed = await Count(db, "select count(*) from events.mt_events where type = 'credit_changed'");
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
            long succeeded;
            while ((succeeded = await Count(db, "select count(*) from webhooks.mt_doc_delivery where data->>'status' = 'Succeeded'")) < committed)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{committed} committed, {succeeded} delivered after the outage");
                await Task.Delay(500);
            }
            var deliveries = await Count(db, "select count(*) from webhooks.mt_doc_delivery");
            output.WriteLine($"{committed} credit changes committed, {succeeded} delivered, receiver saw {seen.Count} requests");

            Assert.Equal(committed, deliveries);
            Assert.True(statuses.GetValueOrDefault(503) > 0, "no request met the outage");
            Assert.Equal(0, statuses.GetValueOrDefault(500));
            Assert.Equal(committed, seen.Distinct().Count());
        }
        finally
        {
            Script("stop", Cluster);
        }
    }

    private static async Task<JsonNode?> Post(HostProcess host, string path, object body)
    {
        using var response = await host.Client.PostAsJsonAsync(host.Url + path, body);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync());
    }

    private static async Task<long> Count(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        return (long)(await new NpgsqlCommand(sql, connection).ExecuteScalarAsync())!;
    }
}

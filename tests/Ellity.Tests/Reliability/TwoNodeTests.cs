using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Ellity.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Ellity.Tests.Reliability;

/// <summary>
/// Two Host processes on one database (balanced durability, a shared delivery queue): both send,
/// and when one is killed with SIGKILL the other finishes everything. At-least-once: duplicates
/// are counted and reported, losses fail the test.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed partial class TwoNodeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly Dictionary<string, string> Cluster = new()
    {
        ["Durability:Mode"] = "Balanced",
        ["Webhooks:SharedDeliveryQueue"] = "true",
        ["Logging:LogLevel:Ellity.Webhooks"] = "Debug",
    };

    private string _db = "";

    public async Task InitializeAsync() => _db = await TestPostgres.CreateDatabaseAsync();

    public Task DisposeAsync() => TestPostgres.DropDatabaseAsync(_db);

    [GeneratedRegex(@"Delivery [0-9a-f-]{36} attempt \d+ to webhook [0-9a-f-]{36}: status 200")]
    private static partial Regex SuccessfulAttempt();

    [Fact]
    public async Task both_nodes_deliver_and_the_survivor_of_a_sigkill_delivers_everything()
    {
        const int changes = 600;
        var received = new ConcurrentDictionary<string, int>();
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) =>
        {
            received.AddOrUpdate(c.Request.Headers["webhook-id"].ToString(), 1, (_, n) => n + 1);
            c.Response.StatusCode = 200;
            return Task.CompletedTask;
        });
        await using var survivor = await HostProcess.StartAsync(_db, ScriptedReceiver.FreePort(), Cluster);
        var victim = await HostProcess.StartAsync(_db, ScriptedReceiver.FreePort(), Cluster);
        try
        {
            var eshop = await survivor.NewEshopAsync();
            await survivor.PostAsync($"/api/eshops/{eshop}/webhooks", new
            {
                name = "two nodes", trigger = "customer.credit.changed", url = receiver.Url,
                body = "{\"event\": \"#event.id#\"}", retrySchedule = new[] { 1, 1, 2, 5, 5 },
            });
            var customers = new List<Guid>();
            for (var n = 0; n < 30; n++)
                customers.Add((await (n % 2 == 0 ? survivor : victim).PostAsync($"/api/eshops/{eshop}/customers",
                    new { email = $"n{n}@example.cz" })).AsCustomer().Id);

            // The first half of the changes goes to both nodes; once deliveries flow, one node dies
            // (with work queued and in flight) and the second half goes to the survivor.
            async Task Change(HostProcess node, int n) =>
                await node.PostAsync($"/api/eshops/{eshop}/customers/{customers[n % customers.Count]}/credit", new { value = 1 });
            await Parallel.ForAsync(0, changes / 2, new ParallelOptions { MaxDegreeOfParallelism = 8 },
                async (n, _) => await Change(n % 2 == 0 ? survivor : victim, n));
            var flowing = DateTime.UtcNow + TimeSpan.FromMinutes(1);
            while (received.Count < changes / 6 && DateTime.UtcNow < flowing) await Task.Delay(50);
            Assert.Matches(SuccessfulAttempt(), victim.ReadLog());
            victim.Kill();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            output.WriteLine($"SIGKILL one node with {received.Count} deliveries received");
            await Parallel.ForAsync(changes / 2, changes, new ParallelOptions { MaxDegreeOfParallelism = 8 },
                async (n, _) => await Change(survivor, n));

            // Every committed change must arrive: the survivor takes over the dead node's queued and scheduled work.
            var committed = await CountCreditChanges();
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
            while (received.Count < committed && DateTime.UtcNow < deadline) await Task.Delay(250);

            var duplicates = received.Values.Sum(n => n - 1);
            output.WriteLine($"{committed} credit changes committed, {received.Count} delivered ({clock.Elapsed.TotalSeconds:0} s after the kill), {duplicates} duplicate requests");
            Assert.True(committed >= changes, $"{committed} changes committed");
            Assert.Equal(committed, received.Count);
            Assert.Matches(SuccessfulAttempt(), survivor.ReadLog());
        }
        finally
        {
            await victim.DisposeAsync();
        }
    }

    [Fact]
    public async Task a_rate_limit_holds_across_both_nodes_sending_for_the_same_webhook()
    {
        const int changes = 60;
        var received = new ConcurrentQueue<(string Path, DateTimeOffset At)>();
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) =>
        {
            received.Enqueue((c.Request.Path + c.Request.QueryString, DateTimeOffset.UtcNow));
            c.Response.StatusCode = 200;
            return Task.CompletedTask;
        });
        await using var first = await HostProcess.StartAsync(_db, ScriptedReceiver.FreePort(), Cluster);
        await using var second = await HostProcess.StartAsync(_db, ScriptedReceiver.FreePort(), Cluster);
        var eshop = await first.NewEshopAsync();
        // Each node's first requests (JIT, connections) are made on a webhook without a limit first, as in RateLimitTests.
        await first.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "warm", trigger = "customer.registered", url = receiver.Url + "/warm", retrySchedule = new[] { 1 },
        });
        var customers = new List<Guid>();
        for (var n = 0; n < 20; n++)
            customers.Add((await (n % 2 == 0 ? first : second).PostAsync($"/api/eshops/{eshop}/customers",
                new { email = $"paced{n}@example.cz" })).AsCustomer().Id);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (received.Count < customers.Count && DateTime.UtcNow < deadline) await Task.Delay(50);
        var paced = (await first.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "paced", trigger = "customer.credit.changed", url = receiver.Url + "/paced?v=#customer.email#",
            rateLimit = new { requests = 5, per = "second" },
        }))["id"]!.GetValue<Guid>();

        await Parallel.ForAsync(0, changes, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, _) =>
            await (n % 2 == 0 ? first : second).PostAsync($"/api/eshops/{eshop}/customers/{customers[n % customers.Count]}/credit", new { value = 1 }));
        deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (received.Count(r => r.Path.StartsWith("/hook/paced")) < changes && DateTime.UtcNow < deadline) await Task.Delay(100);

        Assert.Equal(changes, received.Count(r => r.Path.StartsWith("/hook/paced")));
        // When each node started each request, as RateLimitTests measures it.
        // A request arrives before its attempt is recorded.
        List<DeliveryView> delivered;
        do delivered = [.. ((System.Text.Json.Nodes.JsonArray)(await first.GetAsync($"/api/eshops/{eshop}/webhooks/{paced}/deliveries?limit=500"))["items"]!)
            .AsDeliveries().Where(d => d.Status == "succeeded")];
        while (delivered.Count < changes && DateTime.UtcNow < deadline);
        var times = delivered.Select(d => d.Attempts[0].StartedAt).Order().ToList();
        Assert.Equal(changes, times.Count);
        var busiest = Webhooks.Delivering.RateLimitTests.BusiestSecond(times);
        output.WriteLine($"{changes} paced deliveries in {(times[^1] - times[0]).TotalSeconds:0.0} s, at most {busiest} within a second");
        Assert.True(busiest <= 6, $"{busiest} requests sent within one second: "
            + string.Join(" ", times.Select(t => $"{(t - times[0]).TotalMilliseconds:0}")));
        Assert.InRange((times[^1] - times[0]).TotalSeconds, 11, 60);
        // Both nodes sent some of them.
        Assert.Contains($"to webhook {paced}: status 200", first.ReadLog());
        Assert.Contains($"to webhook {paced}: status 200", second.ReadLog());
    }

    private async Task<long> CountCreditChanges()
    {
        await using var connection = new NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("select count(*) from events.mt_events where type = 'credit_changed'", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}

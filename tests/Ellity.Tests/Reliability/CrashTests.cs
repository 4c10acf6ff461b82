using System.Collections.Concurrent;
using System.Net.Http.Json;
using Ellity.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Npgsql;
using Xunit.Abstractions;

namespace Ellity.Tests.Reliability;

/// <summary>The Host as a real process, killed with SIGKILL mid-work: nothing committed may be lost.</summary>
[Collection(ProcessCollection.Name)]
public sealed class CrashTests(ITestOutputHelper output) : IAsyncLifetime
{
    private string _db = "";

    public async Task InitializeAsync() => _db = await TestPostgres.CreateDatabaseAsync();

    public Task DisposeAsync() => TestPostgres.DropDatabaseAsync(_db);

    [Fact]
    public async Task every_credit_change_committed_before_a_sigkill_is_delivered_after_the_restart()
    {
        const int burst = 2000;
        var seen = new ConcurrentBag<string>();
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) =>
        {
            seen.Add(c.Request.Headers["webhook-id"].ToString());
            c.Response.StatusCode = 200;
            return Task.CompletedTask;
        });
        var port = ScriptedReceiver.FreePort();
        var first = await HostProcess.StartAsync(_db, port);
        var eshop = await first.NewEshopAsync();
        var webhook = (await first.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "crash", trigger = "customer.credit.changed", url = receiver.Url,
            body = "{\"credit\": #customer.credit#, \"event\": \"#event.id#\"}", retrySchedule = new[] { 1, 1, 2, 5 },
        })).AsCreatedWebhook().Id;
        var customers = new List<Guid>();
        for (var n = 0; n < 50; n++)
            customers.Add((await first.PostAsync($"/api/eshops/{eshop}/customers", new { email = $"c{n}@example.cz" })).AsCustomer().Id);

        // Fire the burst; kill the Host once a good part of it is in, while requests are in flight.
        var sent = 0;
        var killAt = burst * 2 / 5;
        async Task Send(HostProcess host, int from, int to)
        {
            await Parallel.ForAsync(from, to, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, _) =>
            {
                try
                {
                    await host.Client.PostAsJsonAsync($"{host.Url}/api/eshops/{eshop}/customers/{customers[n % customers.Count]}/credit",
                        new { value = 1, reason = $"burst {n}" });
                }
                catch (HttpRequestException)
                {
                    // The Host died under this request; whether it committed is what the check below finds out.
                }
                if (Interlocked.Increment(ref sent) == killAt) first.Kill();
            });
        }
        await Send(first, 0, burst / 2);
        await first.DisposeAsync();
        output.WriteLine($"killed after {killAt} of {burst} credit changes had been answered");

        await using var second = await HostProcess.StartAsync(_db, port);
        await Send(second, burst / 2, burst);

        var committed = await CommittedCreditChanges();
        output.WriteLine($"{committed.Count} credit changes committed");
        Assert.True(committed.Count >= burst * 3 / 5, $"only {committed.Count} committed");

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        Dictionary<Guid, (Guid Delivery, string Status)> deliveries;
        while (true)
        {
            deliveries = await DeliveriesBySourceEvent(webhook);
            if (deliveries.Count == committed.Count && deliveries.Values.All(d => d.Status == "Succeeded")) break;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"{committed.Count} committed, {deliveries.Count} deliveries, {deliveries.Values.Count(d => d.Status == "Succeeded")} succeeded");
            await Task.Delay(500);
        }

        Assert.Equal(committed.Order(), deliveries.Keys.Order());
        var ids = deliveries.Values.Select(d => d.Delivery.ToString()).ToHashSet();
        Assert.Subset(seen.ToHashSet(), ids);
        var duplicates = seen.Count - seen.Distinct().Count();
        output.WriteLine($"{deliveries.Count} deliveries succeeded; the receiver saw {seen.Count} requests, {duplicates} duplicates");
    }

    [Fact]
    public async Task a_retry_scheduled_before_a_restart_fires_after_it()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, i) =>
        {
            c.Response.StatusCode = i == 0 ? 503 : 200;
            return Task.CompletedTask;
        });
        var port = ScriptedReceiver.FreePort();
        var first = await HostProcess.StartAsync(_db, port);
        var eshop = await first.NewEshopAsync();
        var webhook = (await first.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "restart", trigger = "customer.credit.changed", url = receiver.Url, retrySchedule = new[] { 8 },
        })).AsCreatedWebhook().Id;
        var customer = (await first.PostAsync($"/api/eshops/{eshop}/customers", new { email = "r@example.cz" })).AsCustomer().Id;
        await first.PostAsync($"/api/eshops/{eshop}/customers/{customer}/credit", new { value = 5 });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(await DeliveryEventTypes(webhook)).Contains("delivery_retry_scheduled"))
        {
            Assert.True(DateTime.UtcNow < deadline, "no retry was scheduled");
            await Task.Delay(100);
        }
        await first.DisposeAsync();
        Assert.Single(receiver.Requests);

        await using var second = await HostProcess.StartAsync(_db, port);

        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(await DeliveryEventTypes(webhook)).Contains("delivery_succeeded"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the retry did not fire after the restart");
            await Task.Delay(200);
        }
        Assert.Equal(2, receiver.Requests.Count);
    }

    private async Task<List<Guid>> CommittedCreditChanges()
    {
        await using var connection = new NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select id from events.mt_events where type = 'credit_changed'", connection);
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
        return ids;
    }

    private async Task<Dictionary<Guid, (Guid, string)>> DeliveriesBySourceEvent(Guid webhookId)
    {
        await using var connection = new NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select id, data->>'sourceEventId', data->>'status' from webhooks.mt_doc_delivery where data->>'webhookId' = @w", connection);
        command.Parameters.AddWithValue("w", webhookId.ToString());
        var result = new Dictionary<Guid, (Guid, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            result.Add(Guid.Parse(reader.GetString(1)), (reader.GetGuid(0), reader.GetString(2)));
        return result;
    }

    private async Task<List<string>> DeliveryEventTypes(Guid webhookId)
    {
        await using var connection = new NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            select e.type from events.mt_events e
            join webhooks.mt_doc_delivery d on d.id = e.stream_id
            where d.data->>'webhookId' = @w order by e.seq_id
            """, connection);
        command.Parameters.AddWithValue("w", webhookId.ToString());
        var types = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) types.Add(reader.GetString(0));
        return types;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCollection
{
    public const string Name = "process";
}

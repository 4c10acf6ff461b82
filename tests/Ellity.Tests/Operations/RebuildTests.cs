using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ellity.Tests.Infrastructure;
using Ellity.Tests.Reliability;
using Npgsql;
using Xunit.Abstractions;

namespace Ellity.Tests.Operations;

/// <summary>Every read model thrown away and rebuilt from the events with the Host's command line gives the same API answers.</summary>
[Collection(ProcessCollection.Name)]
public sealed class RebuildTests(ITestOutputHelper output) : IAsyncLifetime
{
    private string _db = "";

    public async Task InitializeAsync() => _db = await TestPostgres.CreateDatabaseAsync();

    public Task DisposeAsync() => TestPostgres.DropDatabaseAsync(_db);

    private static async Task<JsonNode> SendAsync(HostProcess host, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, host.Url + path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    private static async Task<JsonNode> WaitFor(HostProcess host, string path, Func<JsonNode, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var answer = await SendAsync(host, HttpMethod.Get, path);
            if (done(answer)) return answer;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{path}: {answer.ToJsonString()}");
            await Task.Delay(200);
        }
    }

    /// <summary>Everything an e-shop can read back about its webhooks, deliveries and customers.</summary>
    private static async Task<string> Answers(HostProcess host, string eshop, IReadOnlyList<Guid> webhooks, IReadOnlyList<Guid> customers)
    {
        var answers = new JsonObject { ["webhooks"] = await SendAsync(host, HttpMethod.Get, $"/api/eshops/{eshop}/webhooks") };
        foreach (var webhook in webhooks)
        {
            answers[$"webhook {webhook}"] = await SendAsync(host, HttpMethod.Get, $"/api/eshops/{eshop}/webhooks/{webhook}");
            answers[$"stats {webhook}"] = await SendAsync(host, HttpMethod.Get, $"/api/eshops/{eshop}/webhooks/{webhook}/stats");
            answers[$"deliveries {webhook}"] = await SendAsync(host, HttpMethod.Get, $"/api/eshops/{eshop}/webhooks/{webhook}/deliveries?limit=500");
        }
        answers["eshop deliveries"] = await SendAsync(host, HttpMethod.Get, $"/api/eshops/{eshop}/deliveries?status=failed&limit=3");
        foreach (var customer in customers)
            answers[$"customer {customer}"] = await SendAsync(host, HttpMethod.Get, $"/api/eshops/{eshop}/customers/{customer}");
        answers["eshop"] = await SendAsync(host, HttpMethod.Get, $"/api/eshops/{eshop}");
        return answers.ToJsonString();
    }

    [Fact]
    public async Task read_models_deleted_and_rebuilt_from_the_events_give_identical_answers()
    {
        var eshop = AppFixture.NewEshopId();
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) =>
        {
            c.Response.StatusCode = c.Request.Path.Value switch { "/hook/fail" => 500, "/hook/gone" => 410, _ => 200 };
            return Task.CompletedTask;
        });
        var port = ScriptedReceiver.FreePort();
        var webhooks = new List<Guid>();
        var customers = new List<Guid>();
        string before;
        await using (var host = await HostProcess.StartAsync(_db, port))
        {
            await SendAsync(host, HttpMethod.Post, "/api/eshops", new { eshopId = eshop, name = "Rebuilt shop" });
            await SendAsync(host, HttpMethod.Post, $"/api/eshops/{eshop}/features/webhooks", null);
            foreach (var (path, body) in new[] { ("/ok", "{\"credit\": #customer.credit#}"), ("/fail", null), ("/gone", null) })
                webhooks.Add((await SendAsync(host, HttpMethod.Post, $"/api/eshops/{eshop}/webhooks", new
                {
                    name = "to " + path, trigger = "customer.credit.changed", url = receiver.Url + path + "?e=#customer.email#", body,
                    retrySchedule = Array.Empty<int>(),
                })).AsCreatedWebhook().Id);
            await SendAsync(host, HttpMethod.Put, $"/api/eshops/{eshop}/webhooks/{webhooks[0]}", new
            {
                name = "renamed", trigger = "customer.credit.changed", url = receiver.Url + "/ok", body = "{\"c\": #customer.credit#}", enabled = true,
            });
            for (var n = 0; n < 3; n++)
            {
                var customer = (await SendAsync(host, HttpMethod.Post, $"/api/eshops/{eshop}/customers", new { email = $"r{n}@example.cz" })).AsCustomer().Id;
                customers.Add(customer);
                for (var c = 0; c < 4; c++)
                    await SendAsync(host, HttpMethod.Post, $"/api/eshops/{eshop}/customers/{customer}/credit", new { value = c + 1 });
            }
            await SendAsync(host, HttpMethod.Put, $"/api/eshops/{eshop}/customers/{customers[0]}/tier", new { id = "gold", name = "Gold" });

            // Wait until every delivery finished and the asynchronous projections caught up with them.
            await WaitFor(host, $"/api/eshops/{eshop}/webhooks/{webhooks[0]}/deliveries?status=succeeded&limit=500", d => d.AsDeliveryPage().Items.Count == 12);
            await WaitFor(host, $"/api/eshops/{eshop}/webhooks/{webhooks[1]}/deliveries?status=failed&limit=500", d => d.AsDeliveryPage().Items.Count == 12);
            await WaitFor(host, $"/api/eshops/{eshop}/webhooks/{webhooks[2]}", w => w.AsWebhook().DisabledReason is not null);
            await WaitFor(host, $"/api/eshops/{eshop}/webhooks/{webhooks[1]}", w => w.AsWebhook().Health.ConsecutiveFailures == 12);
            await WaitFor(host, $"/api/eshops/{eshop}/webhooks/{webhooks[0]}", w => w.AsWebhook().Health.LastSuccessAt is not null);
            await WaitFor(host, $"/api/eshops/{eshop}/webhooks/{webhooks[1]}/stats", s => s.AsStatistics().Last24Hours.Failed == 12);
            await WaitFor(host, $"/api/eshops/{eshop}/webhooks/{webhooks[0]}/stats", s => s.AsStatistics().Last24Hours.Succeeded == 12);
            // The 410 webhook got as many deliveries as were planned before it was disabled; those not attempted by
            // then ended without an attempt. Wait for its figures too.
            await WaitFor(host, $"/api/eshops/{eshop}/webhooks/{webhooks[2]}/deliveries?status=pending&limit=500", d => d.AsDeliveryPage().Items.Count == 0);
            var goneDeliveries = (await SendAsync(host, HttpMethod.Get, $"/api/eshops/{eshop}/webhooks/{webhooks[2]}/deliveries?status=failed&limit=500")).AsDeliveryPage().Items;
            var gone = goneDeliveries.Count;
            var goneAttempted = goneDeliveries.Count(d => d.Attempts.Count > 0);
            await WaitFor(host, $"/api/eshops/{eshop}/webhooks/{webhooks[2]}", w => w.AsWebhook().Health.ConsecutiveFailures == goneAttempted);
            await WaitFor(host, $"/api/eshops/{eshop}/webhooks/{webhooks[2]}/stats", s => s.AsStatistics().Last24Hours.Failed == gone);
            before = await Answers(host, eshop, webhooks, customers);
        }

        var deleted = await DeleteReadModels();
        Assert.True(deleted > 30, $"only {deleted} read-model rows deleted");

        var (exitCode, log) = await RunHostCommand("rebuild-read-models");
        output.WriteLine(log);
        Assert.True(exitCode == 0, log);
        Assert.Contains("Delivery rebuilt", log);
        Assert.Contains("WebhookHealth rebuilt", log);
        Assert.Contains("WebhookHourStatistics rebuilt", log);

        await using var rebuilt = await HostProcess.StartAsync(_db, port);
        var after = await Answers(rebuilt, eshop, webhooks, customers);
        Assert.Equal(before, after);
    }

    private async Task<long> DeleteReadModels()
    {
        await using var connection = new NpgsqlConnection(_db);
        await connection.OpenAsync();
        long deleted = 0;
        foreach (var table in new[]
                 {
                     "webhooks.mt_doc_webhook", "webhooks.mt_doc_delivery", "webhooks.mt_doc_webhookhealth", "webhooks.mt_doc_webhookhourstatistics",
                     "customers.mt_doc_customer", "eshops.mt_doc_eshop",
                 })
        {
            await using var delete = new NpgsqlCommand($"delete from {table}", connection);
            deleted += await delete.ExecuteNonQueryAsync();
        }
        return deleted;
    }

    private async Task<(int ExitCode, string Output)> RunHostCommand(string command)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Ellity.Host.dll"), command])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ConnectionStrings__Ellity"] = _db;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}

namespace Ellity.Bench.Scenarios;

/// <summary>One event's deliveries to every webhook: from its commit to the last receipt.</summary>
public sealed record FanOutRound(int Round, DeliveryCheck Deliveries);

/// <param name="ColdStart">The first round, on the freshly started Host: reported, not measured against the target.</param>
/// <param name="Rounds">The measured rounds after it.</param>
/// <param name="All">Every round's deliveries together, the cold one included.</param>
public sealed record FanOutResult(
    int Webhooks, FanOutRound ColdStart, IReadOnlyList<FanOutRound> Rounds, DeliveryCheck All, DeliveryAudit Audit, ResourceUse Resources)
{
    /// <summary>The slowest measured round: the target is met only when every one makes it.</summary>
    public double WorstSeconds => Rounds.Max(r => r.Deliveries.Seconds);
}

/// <summary>
/// One credit change of a customer of each e-shop, at the same moment, to every webhook on that trigger, a few times
/// over, after one such round on the fresh Host (its first deliveries ever), which is reported as the cold start. An
/// e-shop has at most <see cref="WebhooksPerShop"/> webhooks (the product's default cap), so a thousand webhooks are
/// ten shops' worth.
/// </summary>
public static class FanOut
{
    public const int WebhooksPerShop = 100;

    public static async Task<FanOutResult> RunAsync(BenchSettings settings)
    {
        var counts = settings.Counts;
        await using var run = await HostScenario.StartAsync(settings, "fanout");
        var shops = new List<EllityApi> { run.Api };
        try
        {
            while (shops.Count * WebhooksPerShop < counts.FanOutWebhooks)
            {
                var shop = new EllityApi(run.Host.Url, settings.OperatorKey, settings.Ordered);
                await shop.RegisterEshopAsync($"bench-fanout-{shops.Count}");
                shops.Add(shop);
            }
            var perShop = counts.FanOutWebhooks / shops.Count;
            await Parallel.ForAsync(0, shops.Count * perShop, new ParallelOptions { MaxDegreeOfParallelism = HostScenario.SetupConcurrency },
                async (n, _) => await shops[n / perShop].CreateWebhookAsync($"fan-out {n}", $"{run.Receiver.Url}/{n}", HostScenario.BodyTemplate));
            var customers = new List<Guid>();
            foreach (var shop in shops) customers.Add(await shop.RegisterCustomerAsync(0));
            await run.Database.WaitUntilIdleAsync(HostScenario.IdleLimit);

            var mark = await run.BeginAsync();
            var rounds = new List<FanOutRound>();
            var seen = new HashSet<Guid>();
            for (var round = 0; round <= counts.FanOutRounds; round++)
            {
                Console.Error.WriteLine($"[fanout] round {round}{(round == 0 ? " (cold start)" : "")}: " +
                    $"one credit change in each of {shops.Count} e-shops to their {perShop} webhooks");
                await Task.WhenAll(shops.Select((shop, i) => shop.ChangeCreditAsync(customers[i], round)));
                await run.DrainAsync((long)(round + 1) * shops.Count * perShop, HostScenario.Stall);
                var committed = (await run.Database.EventsAsync(HostScenario.CreditChanged)).Where(e => seen.Add(e.Key)).ToDictionary();
                var check = DeliveryCheck.Of(committed, perShop, run.Receiver.Receipts.Where(r => committed.ContainsKey(r.EventId)));
                rounds.Add(new FanOutRound(round, check));
                Console.Error.WriteLine($"  {check.Received} of {check.Expected} in {check.Seconds} s");
            }
            var resources = await run.EndAsync(mark);
            var all = DeliveryCheck.Of(await run.Database.EventsAsync(HostScenario.CreditChanged), perShop, run.Receiver.Receipts);
            return new FanOutResult(shops.Count * perShop, rounds[0], rounds.Skip(1).ToList(), all, await run.Database.AuditAsync(), resources);
        }
        finally
        {
            foreach (var shop in shops.Skip(1)) shop.Dispose();
        }
    }
}

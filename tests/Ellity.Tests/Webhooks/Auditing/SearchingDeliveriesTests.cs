using Ellity.Tests.Infrastructure;

namespace Ellity.Tests.Webhooks.Auditing;

/// <summary>The e-shop's delivery log: filters and a cursor that stays put while new deliveries arrive.</summary>
[Collection(AppCollection.Name)]
public sealed class SearchingDeliveriesTests(AppFixture app)
{
    private async Task<List<DeliveryView>> AllPages(string query, int limit, Func<Task>? betweenPages = null)
    {
        var items = new List<DeliveryView>();
        string? cursor = null;
        do
        {
            var page = (await app.GetAsync($"{query}&limit={limit}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")))
                .AsDeliveryPage();
            items.AddRange(page.Items);
            cursor = page.NextCursor;
            if (betweenPages is not null) await betweenPages();
        } while (cursor is not null);
        return items;
    }

    [Fact]
    public async Task deliveries_of_an_eshop_can_be_filtered_and_paged_without_gaps_or_repeats()
    {
        var eshop = await app.NewEshopAsync();
        var ok = await app.CreateWebhookAsync(eshop, "customer.credit.changed", app.Receiver.NewEndpoint(), null);
        var failing = await app.CreateWebhookAsync(eshop, "customer.credit.changed", app.Receiver.NewEndpoint(status: 500), null, retrySchedule: []);
        await app.CreateWebhookAsync(await app.NewEshopAsync(), "customer.credit.changed", app.Receiver.NewEndpoint(), null);
        var customer = await app.RegisterCustomerAsync(eshop);
        for (var n = 0; n < 5; n++) await app.ChangeCreditAsync(eshop, customer, 1m);
        await app.WaitForFinishedDeliveriesAsync(eshop, ok, 5);
        await app.WaitForFinishedDeliveriesAsync(eshop, failing, 5);
        var all = $"/api/eshops/{eshop}/deliveries?trigger=customer.credit.changed";

        var added = 0;
        var paged = await AllPages(all, 3, async () =>
        {
            // New deliveries arriving between pages are newer than the cursor: they must not shift it.
            if (added++ < 2) await app.ChangeCreditAsync(eshop, customer, 1m);
        });

        var ids = paged.Select(d => d.Id).ToList();
        Assert.True(ids.Count >= 10, $"{ids.Count} deliveries paged");
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var times = paged.Select(d => d.ScheduledAt).ToList();
        Assert.Equal(times.OrderDescending(), times);

        // The two changes made while paging add one delivery per webhook each; let them finish before filtering.
        await app.WaitForFinishedDeliveriesAsync(eshop, ok, 7);
        await app.WaitForFinishedDeliveriesAsync(eshop, failing, 7);
        var failed = await AllPages($"/api/eshops/{eshop}/deliveries?status=failed", 2);
        Assert.Equal(7, failed.Count);
        Assert.All(failed, d => Assert.Equal(failing, d.WebhookId));
        Assert.Equal(7, (await AllPages($"/api/eshops/{eshop}/deliveries?statusCode=500", 50)).Count);
        Assert.Equal(7, (await AllPages($"/api/eshops/{eshop}/deliveries?webhookId={failing}", 50)).Count);
        Assert.Empty(await AllPages($"/api/eshops/{eshop}/deliveries?trigger=customer.tier.changed", 50));
        Assert.Empty(await AllPages($"/api/eshops/{eshop}/deliveries?from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}", 50));
        await app.GetAsync($"/api/eshops/{eshop}/deliveries?status=lost", 400);
        await app.GetAsync($"/api/eshops/{eshop}/deliveries?cursor=nonsense", 400);
        var backwards = await app.GetAsync($"/api/eshops/{eshop}/deliveries?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", 400);
        Assert.NotNull(backwards["errors"]!["from"]);
    }
}

using System.Text.Json.Nodes;
using Ellity.Tests.Infrastructure;
using Ellity.Webhooks;
using Ellity.Webhooks.Auditing;

namespace Ellity.Tests.Webhooks.Auditing;

/// <summary>Per-webhook statistics: counts, success rate and response times over the last day and week.</summary>
[Collection(AppCollection.Name)]
public sealed class WebhookStatisticsTests(AppFixture app)
{
    [Fact]
    public async Task statistics_count_a_webhooks_deliveries_outcomes_and_attempts_and_stay_within_its_eshop()
    {
        var eshop = await app.NewEshopAsync();
        var ok = await app.CreateWebhookAsync(eshop, "customer.credit.changed", app.Receiver.NewEndpoint(), null);
        var failing = await app.CreateWebhookAsync(eshop, "customer.credit.changed", app.Receiver.NewEndpoint(status: 500), null, retrySchedule: []);
        var customer = await app.RegisterCustomerAsync(eshop);
        for (var n = 0; n < 3; n++) await app.ChangeCreditAsync(eshop, customer, 1m);
        await app.WaitForFinishedDeliveriesAsync(eshop, ok, 3);
        await app.WaitForFinishedDeliveriesAsync(eshop, failing, 3);

        // The statistics are an async projection: they catch up shortly after the deliveries end.
        var okJson = await app.WaitForAsync($"/api/eshops/{eshop}/webhooks/{ok}/stats",
            s => s.AsStatistics() is { Last24Hours.Succeeded: 3, LastSuccessAt: not null }, "3 successes counted");
        var failingStats = (await app.WaitForAsync($"/api/eshops/{eshop}/webhooks/{failing}/stats",
            s => s.AsStatistics() is { Last24Hours.Failed: 3, LastFailureAt: not null }, "3 failures counted")).AsStatistics();
        var okStats = okJson.AsStatistics();

        var day = okStats.Last24Hours;
        Assert.Equal(3, day.Deliveries);
        Assert.Equal(0, day.Failed);
        Assert.Equal(1.0, day.SuccessRate);
        Assert.Equal(3, day.Attempts);
        Assert.NotNull(day.P95ResponseMs);
        // The whole of both periods, as answered: a field the view does not know must agree too.
        Assert.True(JsonNode.DeepEquals(okJson["last24Hours"], okJson["last7Days"]), okJson.ToJsonString());
        Assert.Null(okStats.LastFailureAt);

        var failed = failingStats.Last24Hours;
        Assert.Equal(3, failed.Deliveries);
        Assert.Equal(0, failed.Succeeded);
        Assert.Equal(0.0, failed.SuccessRate);
        Assert.Equal(3, failed.Attempts);
        Assert.NotNull(failed.P95ResponseMs);
        Assert.Null(failingStats.LastSuccessAt);

        var quiet = await app.CreateWebhookAsync(eshop, "customer.tier.changed", app.Receiver.NewEndpoint(), null);
        var none = (await app.GetAsync($"/api/eshops/{eshop}/webhooks/{quiet}/stats")).AsStatistics().Last7Days;
        Assert.Equal(0, none.Deliveries);
        Assert.Null(none.SuccessRate);
        Assert.Null(none.P95ResponseMs);
    }

    [Fact]
    public async Task another_eshops_webhook_has_no_statistics_to_show()
    {
        var eshop = await app.NewEshopAsync();
        var webhook = await app.CreateWebhookAsync(eshop, "customer.credit.changed", app.Receiver.NewEndpoint(), null);
        var (other, otherKey) = await app.RegisterEshopAsync();

        Assert.Equal(404, (await app.SendAsync(HttpMethod.Get, $"/api/eshops/{other}/webhooks/{webhook}/stats", key: otherKey)).Status);
        Assert.Equal(404, (await app.SendAsync(HttpMethod.Get, $"/api/eshops/{eshop}/webhooks/{webhook}/stats", key: otherKey)).Status);
        await app.GetAsync($"/api/eshops/{eshop}/webhooks/{Guid.NewGuid()}/stats", 404);
    }
}

/// <summary>The p95 read from merged hourly histograms.</summary>
public sealed class WebhookStatisticsPercentileTests
{
    private static int[] Histogram(params (long DurationMs, int Count)[] attempts)
    {
        var counts = new int[ResponseTimeHistogram.Bounds.Length + 1];
        foreach (var (duration, count) in attempts) counts[ResponseTimeHistogram.BucketOf(duration)] += count;
        return counts;
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(100, 9)]
    [InlineData(101, 10)]
    [InlineData(63_000, 23)]
    [InlineData(63_001, 24)]
    public void a_duration_counts_in_the_first_bucket_whose_bound_it_does_not_exceed(long durationMs, int bucket)
    {
        Assert.Equal(bucket, ResponseTimeHistogram.BucketOf(durationMs));
    }

    [Fact]
    public void p95_is_interpolated_within_the_bucket_it_falls_in()
    {
        // 90 attempts in (100, 160] ms and 10 in (1000, 1600] ms: the 95th is halfway through the slow bucket.
        var counts = Histogram((120, 90), (1_200, 10));

        Assert.Equal(1_300, ResponseTimeHistogram.Percentile(counts, 0.95));
    }

    [Fact]
    public void p95_of_attempts_all_in_one_bucket_lies_within_that_bucket()
    {
        var counts = Histogram((50, 20));

        Assert.Equal(40 + 23 * 0.95, ResponseTimeHistogram.Percentile(counts, 0.95)!.Value, 6);
    }

    [Fact]
    public void p95_above_every_bound_is_the_last_bound_and_no_attempts_have_no_p95()
    {
        Assert.Equal(63_000, ResponseTimeHistogram.Percentile(Histogram((90_000, 5)), 0.95));
        Assert.Null(ResponseTimeHistogram.Percentile(Histogram(), 0.95));
    }
}

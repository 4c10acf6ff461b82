using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Routing;

namespace Ellity.Webhooks;

/// <summary>At most <see cref="Burst"/> requests at once, then <see cref="PerMinute"/> a minute.</summary>
public sealed class RateLimit
{
    public int Burst { get; set; }
    public int PerMinute { get; set; }
}

/// <summary>Per e-shop limits on what costs this service (or a receiver) work: each a token bucket of its own.</summary>
public sealed class WebhookRateLimitOptions
{
    /// <summary>Creating, changing, switching and deleting webhooks, previews, redeliveries.</summary>
    public RateLimit Writes { get; set; } = new() { Burst = 100, PerMinute = 600 };

    /// <summary>Test sends: each is a real request to the shop's receiver.</summary>
    public RateLimit TestSends { get; set; } = new() { Burst = 10, PerMinute = 10 };

    /// <summary>Recovers: each can redeliver thousands of deliveries.</summary>
    public RateLimit Recover { get; set; } = new() { Burst = 5, PerMinute = 5 };

    /// <summary>Resyncs: each sends every customer of the e-shop.</summary>
    public RateLimit Resync { get; set; } = new() { Burst = 5, PerMinute = 5 };

    /// <summary>Exports: each reads a whole period of the delivery log.</summary>
    public RateLimit Export { get; set; } = new() { Burst = 5, PerMinute = 5 };
}

/// <summary>
/// ASP.NET Core rate limiting policies, partitioned by the e-shop in the route (the access rules have already made
/// sure the caller acts for it), so one shop's flood never slows another shop down.
/// </summary>
public static class WebhookRateLimits
{
    public const string Writes = "webhook-writes";
    public const string TestSends = "webhook-test-sends";
    public const string Recover = "webhook-recover";
    public const string Export = "delivery-export";
    public const string Resync = "webhook-resync";

    public static void AddPolicies(RateLimiterOptions options, WebhookRateLimitOptions limits)
    {
        AddPolicy(options, Writes, limits.Writes);
        AddPolicy(options, TestSends, limits.TestSends);
        AddPolicy(options, Recover, limits.Recover);
        AddPolicy(options, Export, limits.Export);
        AddPolicy(options, Resync, limits.Resync);
    }

    private static void AddPolicy(RateLimiterOptions options, string name, RateLimit limit) =>
        options.AddPolicy(name, context => RateLimitPartition.GetTokenBucketLimiter(
            context.GetRouteValue("eshopId") as string ?? "", _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, limit.Burst),
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromMinutes(1) / Math.Max(1, limit.PerMinute),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
}

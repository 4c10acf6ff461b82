
namespace Ellity.Webhooks;

/// <summary>Delivery settings, bound from the <c>Webhooks</c> configuration section.</summary>
public sealed class WebhooksOptions
{
    public const string Section = "Webhooks";

    /// <summary>Seconds to wait before each retry after the first attempt (like Svix): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.</summary>
    public static readonly IReadOnlyList<int> DefaultRetrySchedule = [5, 300, 1800, 7200, 18000, 36000, 36000];

    /// <summary>How long one attempt may take, connecting and reading the response included.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How much of a response body is kept in the attempt; the rest is discarded unread.</summary>
    public int ResponseBodyLimitBytes { get; set; } = 4 * 1024;

    /// <summary>How many deliveries one node works on at the same time.</summary>
    public int MaxParallelDeliveries { get; set; } = 32;

    /// <summary>
    /// Put delivery attempts on a queue in PostgreSQL that every node takes work from, instead of
    /// each node's own durable local queue. Needed to spread sending over several nodes.
    /// </summary>
    public bool SharedDeliveryQueue { get; set; }

    /// <summary>How many requests to one webhook may be in flight at the same time.</summary>
    public int MaxConcurrentPerWebhook { get; set; } = 10;

    /// <summary>
    /// How many requests of one e-shop's webhooks may be in flight on a node at the same time: half the senders, so
    /// receivers of one shop that hang cannot hold up every other shop's deliveries.
    /// </summary>
    public int MaxConcurrentPerEshop { get; set; } = 16;

    /// <summary>The largest URL a delivery may render to; past it the delivery fails unsent.</summary>
    public int MaxUrlBytes { get; set; } = 8 * 1024;

    /// <summary>The largest body a delivery may render to; past it the delivery fails unsent and nothing of the body is stored.</summary>
    public int MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// How many customers a second a resync sends to a webhook without a rate limit of its own; one with a limit gets
    /// them at its limit.
    /// </summary>
    public int ResyncPerSecond { get; set; } = 100;

    /// <summary>How many webhooks (not deleted) one e-shop may have.</summary>
    public int MaxWebhooksPerEshop { get; set; } = 100;

    public RenderLimits RenderLimits => new(MaxUrlBytes, MaxBodyBytes);

    /// <summary>Per e-shop request limits of the API (<see cref="WebhookRateLimits"/>).</summary>
    public WebhookRateLimitOptions RateLimits { get; set; } = new();

    /// <summary>Seconds between attempts; null means <see cref="DefaultRetrySchedule"/>. A webhook may set its own.</summary>
    public int[]? RetrySchedule { get; set; }

    /// <summary>Each retry delay is spread by up to this fraction either way, so retries of many deliveries do not arrive together.</summary>
    public double RetryJitter { get; set; } = 0.1;

    /// <summary>A webhook with no successful attempt for this long while attempts keep failing is disabled.</summary>
    public TimeSpan AutoDisableAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>
    /// How often each node looks for failing webhooks whose "failing" alert is due by time alone (failing for the shop's
    /// <c>failingAfterMinutes</c>), which would otherwise wait for the next attempt.
    /// </summary>
    public TimeSpan FailingCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    public CircuitBreakerOptions CircuitBreaker { get; set; } = new();

    /// <summary>How long finished deliveries keep their request and response bodies (like Svix: 90 days).</summary>
    public TimeSpan ContentRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often each node looks for deliveries whose content outlived <see cref="ContentRetention"/>.</summary>
    public TimeSpan RetentionSweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Networks deliveries may reach even though they are internal (CIDR, e.g. <c>127.0.0.0/8</c> for
    /// development). Empty in production: loopback, private, link-local and reserved addresses are refused.
    /// </summary>
    public string[] AllowedNetworks { get; set; } = [];

    /// <summary>
    /// An HTTP proxy every delivery goes through (an absolute http URL, e.g. <c>http://egress-proxy:3128</c>).
    /// Unset, deliveries connect directly and proxies named in the environment are ignored. The proxy itself
    /// must refuse internal destinations: the guard then sees only the proxy's address.
    /// </summary>
    public string? Proxy { get; set; }

    /// <summary>Refuse webhook URLs that are not https.</summary>
    public bool RequireHttps { get; set; }

    public IReadOnlyList<int> EffectiveRetrySchedule => RetrySchedule ?? DefaultRetrySchedule;
}

/// <summary>
/// Per destination (scheme, host and port): when every request to it failed within the sampling
/// window, stop calling it for a while, so one dead endpoint cannot tie up the senders.
/// </summary>
public sealed class CircuitBreakerOptions
{
    public bool Enabled { get; set; } = true;
    public double FailureRatio { get; set; } = 1.0;
    public int MinimumThroughput { get; set; } = 10;
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}

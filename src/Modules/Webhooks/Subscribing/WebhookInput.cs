using Ellity.Webhooks.Conditions;

namespace Ellity.Webhooks.Subscribing;

/// <summary>
/// The request body of create and update. <see cref="Headers"/> are read on create only; update
/// leaves them alone (their values are never shown, so they could not be sent back) — use .../headers.
/// </summary>
public sealed record WebhookInput(string? Name, string? Trigger, string? Url, string? Body, bool? Enabled,
    IReadOnlyList<int>? RetrySchedule = null, Dictionary<string, string>? Headers = null,
    IReadOnlyList<ConditionInput?>? Conditions = null, RateLimitInput? RateLimit = null, string? Ordering = null)
{
    public static readonly WebhookInput Empty = new(null, null, null, null, null);
}

/// <summary>A rate limit as the API takes it: <c>{"requests": 5, "per": "second"}</c> (or <c>"minute"</c>).</summary>
public sealed record RateLimitInput(int? Requests, string? Per);

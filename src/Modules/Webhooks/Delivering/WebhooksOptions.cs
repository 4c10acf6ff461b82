namespace Ellity.Webhooks.Delivering;

/// <summary>Delivery settings, bound from the <c>Webhooks</c> configuration section.</summary>
public sealed class WebhooksOptions
{
    public const string Section = "Webhooks";

    /// <summary>How long one attempt may take, connecting included.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How much of a response body is kept in the attempt; the rest is discarded unread.</summary>
    public int ResponseBodyLimitBytes { get; set; } = 4 * 1024;

    /// <summary>How many deliveries are sent at the same time by one node.</summary>
    public int MaxParallelDeliveries { get; set; } = 32;
}

namespace Ellity.Webhooks.Delivering;

public static class DeliveryHeaders
{
    /// <summary>The delivery id, the same on every attempt of one delivery, so receivers can de-duplicate.</summary>
    public const string Id = "webhook-id";

    /// <summary>Unix seconds of the attempt; receivers reject stale ones (replay protection).</summary>
    public const string Timestamp = "webhook-timestamp";

    /// <summary>Space-separated <c>v1,&lt;base64 HMAC-SHA256&gt;</c>, one per active secret.</summary>
    public const string Signature = "webhook-signature";
}

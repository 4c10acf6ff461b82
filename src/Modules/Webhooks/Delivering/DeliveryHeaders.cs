namespace Ellity.Webhooks.Delivering;

public static class DeliveryHeaders
{
    /// <summary>The delivery id, the same on every attempt of one delivery, so receivers can de-duplicate.</summary>
    public const string Id = "webhook-id";
}

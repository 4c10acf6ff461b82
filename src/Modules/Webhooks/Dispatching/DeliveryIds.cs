using System.Security.Cryptography;

namespace Ellity.Webhooks.Dispatching;

/// <summary>
/// A delivery's id is derived from the webhook and the source event, so handling the same event
/// twice (at-least-once messaging) finds the delivery that already exists instead of sending twice.
/// </summary>
public static class DeliveryIds
{
    public static Guid For(Guid webhookId, Guid sourceEventId)
    {
        Span<byte> input = stackalloc byte[32];
        webhookId.TryWriteBytes(input[..16]);
        sourceEventId.TryWriteBytes(input[16..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        // Shape it as an RFC 9562 name-based (version 8, custom) UUID.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}

using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Ellity.Webhooks.Delivering;

/// <summary>A delivery was not sent because its destination resolved to an address we never call.</summary>
public sealed class DestinationBlockedException(string message) : IOException(message);

/// <summary>
/// Keeps deliveries away from the network the service runs in (SSRF): the check runs on the
/// address actually connected to, after DNS, so a name that resolves (or re-resolves) to an
/// internal address cannot slip through. With a configured <paramref name="proxy"/> every
/// connection goes to the proxy, which is let through however internal its address.
/// </summary>
public sealed class DestinationGuard(IReadOnlyList<IPNetwork> allowed, Uri? proxy = null, ILogger? logger = null)
{
    private static readonly IPNetwork[] Blocked =
    [
        IPNetwork.Parse("0.0.0.0/8"), // "this" network, 0.0.0.0
        IPNetwork.Parse("10.0.0.0/8"), // RFC 1918
        IPNetwork.Parse("100.64.0.0/10"), // CGNAT
        IPNetwork.Parse("127.0.0.0/8"), // loopback
        IPNetwork.Parse("169.254.0.0/16"), // link-local, cloud metadata (169.254.169.254)
        IPNetwork.Parse("172.16.0.0/12"), // RFC 1918
        IPNetwork.Parse("192.0.0.0/24"), // IETF protocol assignments
        IPNetwork.Parse("192.0.2.0/24"), // documentation (TEST-NET-1)
        IPNetwork.Parse("192.88.99.0/24"), // 6to4 relay anycast
        IPNetwork.Parse("192.168.0.0/16"), // RFC 1918
        IPNetwork.Parse("198.18.0.0/15"), // benchmarking
        IPNetwork.Parse("198.51.100.0/24"), // documentation (TEST-NET-2)
        IPNetwork.Parse("203.0.113.0/24"), // documentation (TEST-NET-3)
        IPNetwork.Parse("224.0.0.0/4"), // multicast
        IPNetwork.Parse("240.0.0.0/4"), // reserved, broadcast
        // The two single addresses come before ::/96 so that the log names them for what they are.
        IPNetwork.Parse("::/128"), // unspecified
        IPNetwork.Parse("::1/128"), // loopback
        IPNetwork.Parse("::/96"), // IPv4-compatible (deprecated)
        IPNetwork.Parse("64:ff9b::/96"), // NAT64, reaches the IPv4 address it carries
        IPNetwork.Parse("64:ff9b:1::/48"), // local-use NAT64
        IPNetwork.Parse("100::/64"), // discard-only
        IPNetwork.Parse("2001::/32"), // Teredo, a tunnel to an IPv4 address
        IPNetwork.Parse("2001:db8::/32"), // documentation
        IPNetwork.Parse("fc00::/7"), // unique local
        IPNetwork.Parse("fe80::/10"), // link-local
        IPNetwork.Parse("fec0::/10"), // site-local (deprecated, still routed internally by some networks)
        IPNetwork.Parse("ff00::/8"), // multicast
    ];

    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>The proxy every delivery goes through, or null when deliveries connect directly.</summary>
    public Uri? Proxy => proxy;

    /// <summary>Why an address may not be called, or null when it may.</summary>
    public string? Refusal(IPAddress address)
    {
        // IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it carries.
        var candidate = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        if (allowed.Any(n => n.Contains(candidate))) return null;
        // 6to4 reaches, through a relay, the IPv4 address in bits 16-47: judged as that address.
        if (SixToFour.Contains(candidate))
        {
            var embedded = new IPAddress(candidate.GetAddressBytes().AsSpan(2, 4));
            return Refusal(embedded) is { } why ? $"{address} is 6to4 for {embedded}: {why}" : null;
        }
        var network = Blocked.FirstOrDefault(n => n.Contains(candidate));
        return network == default ? null : $"{address} is in {network}, a loopback, private, link-local or reserved network";
    }

    /// <summary>The connect step of the delivery HttpClient: resolve, refuse internal addresses, connect to a permitted one.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var isLiteral = IPAddress.TryParse(host, out var literal);
        var addresses = isLiteral ? [literal!] : await Dns.GetHostAddressesAsync(host, ct);
        var permitted = IsProxy(host, context.DnsEndPoint.Port) ? addresses : Permitted(host, addresses, isLiteral);

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(permitted, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private bool IsProxy(string host, int port) =>
        proxy is not null && port == proxy.Port && string.Equals(host, proxy.IdnHost.Trim('[', ']'), StringComparison.OrdinalIgnoreCase);

    private IPAddress[] Permitted(string host, IPAddress[] addresses, bool isLiteral)
    {
        var refusals = addresses.Select(a => (Address: a, Why: Refusal(a))).ToList();
        var permitted = refusals.Where(r => r.Why is null).Select(r => r.Address).ToArray();
        if (permitted.Length > 0) return permitted;

        // The shop sees only its own host name: which internal addresses and networks exist is the operator's business.
        logger?.LogWarning("Delivery to {Host} blocked: {Refusals}", host, string.Join("; ", refusals.Select(r => r.Why)));
        throw new DestinationBlockedException(isLiteral
            ? $"Blocked: {host} is an internal or reserved address, which deliveries may not reach."
            : $"Blocked: {host} resolves only to internal or reserved addresses, which deliveries may not reach.");
    }
}

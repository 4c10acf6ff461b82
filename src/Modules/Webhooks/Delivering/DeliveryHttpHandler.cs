using System.Net;

namespace Ellity.Webhooks.Delivering;

/// <summary>The connections deliveries go out on: through the SSRF guard, and through no proxy but the configured one.</summary>
public static class DeliveryHttpHandler
{
    public static SocketsHttpHandler Create(DestinationGuard guard) => new()
    {
        ConnectCallback = guard.ConnectAsync,
        // A proxy named in the environment (HTTP_PROXY, ...) would take deliveries where nobody chose to send them.
        UseProxy = guard.Proxy is not null,
        Proxy = guard.Proxy is { } proxy ? new WebProxy(proxy) : null,
        // A 3xx is a failed attempt, never followed: a redirect could lead anywhere.
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary><c>Webhooks:Proxy</c> as a URL, or null when unset; anything but an absolute http URL stops the start.</summary>
    public static Uri? ProxyAddress(WebhooksOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Proxy)) return null;
        if (Uri.TryCreate(options.Proxy, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp
            && uri.UserInfo.Length == 0 && uri.Host.Length > 0)
            return uri;
        // The value is not repeated: it may hold credentials.
        throw new InvalidOperationException(
            $"{WebhooksOptions.Section}:{nameof(WebhooksOptions.Proxy)} must be an absolute http URL without user info, " +
            "such as http://egress-proxy:3128.");
    }
}

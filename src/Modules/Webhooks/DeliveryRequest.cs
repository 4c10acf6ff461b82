namespace Ellity.Webhooks;

/// <summary>The HTTP request a delivery sends, exactly as rendered and recorded.</summary>
public sealed record DeliveryRequest(string Method, string Url, IReadOnlyDictionary<string, string> Headers, string? Body)
{
    /// <summary>A body means POST, none means GET.</summary>
    public static string MethodFor(string? body) => string.IsNullOrWhiteSpace(body) ? "GET" : "POST";

    /// <summary>An absolute http or https URL with a host and no user information: what a delivery may be sent to.</summary>
    public static bool IsHttpUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && !string.IsNullOrEmpty(uri.Host)
        && string.IsNullOrEmpty(uri.UserInfo);
}

/// <summary>
/// How large a rendered request may be. One small event can fill a template with long values thousands of times
/// over; past these sizes the request is neither sent nor stored.
/// </summary>
public sealed record RenderLimits(int MaxUrlBytes, int MaxBodyBytes)
{
    public static readonly RenderLimits None = new(int.MaxValue, int.MaxValue);
}

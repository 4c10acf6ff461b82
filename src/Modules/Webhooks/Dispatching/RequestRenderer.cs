using System.Collections.Concurrent;
using System.Text;
using Ellity.Webhooks.Templating;

namespace Ellity.Webhooks.Dispatching;

/// <summary>
/// A rendered request, or why it may not be sent (<see cref="NotSent"/>, about the <see cref="NotSentPart"/>
/// <c>url</c> or <c>body</c>). A refused request keeps only what is small and safe to store: an oversized URL is
/// replaced by the webhook's URL template, an oversized body dropped.
/// </summary>
public sealed record RenderedRequest(DeliveryRequest Request, string? NotSent, string? NotSentPart = null);

/// <summary>Renders a webhook's URL and body templates with an event's values.</summary>
public static class RequestRenderer
{
    public const string UserAgentProduct = "Ellity-Webhooks";
    public const string UserAgent = UserAgentProduct + "/1.0";
    public const string JsonContentType = "application/json; charset=utf-8";

    // Parsed templates by their text: dispatch renders the same few templates over and over.
    private static readonly ConcurrentDictionary<string, UrlTemplate> UrlTemplates = new();
    private static readonly ConcurrentDictionary<string, BodyTemplate?> BodyTemplates = new();
    private const int CacheLimit = 10_000;

    public static DeliveryRequest Render(UrlTemplate url, BodyTemplate? body, IReadOnlyDictionary<string, TemplateValue> values) =>
        Render(url, body, values, RenderLimits.None).Request;

    public static RenderedRequest Render(UrlTemplate url, BodyTemplate? body, IReadOnlyDictionary<string, TemplateValue> values,
        RenderLimits limits)
    {
        var headers = new Dictionary<string, string> { ["User-Agent"] = UserAgent };
        var method = body is null ? "GET" : "POST";
        if (body is not null) headers["Content-Type"] = JsonContentType;

        // Values are percent-encoded, so the rendered URL is ASCII: its length in chars is its size in bytes.
        if (url.Render(values, limits.MaxUrlBytes) is not { } renderedUrl)
            return new(new DeliveryRequest(method, url.Text, headers, null),
                $"Not sent: with this event's values the URL is longer than {limits.MaxUrlBytes} bytes.", "url");
        // Saved URLs keep variables out of the scheme and host, so this holds for them; it is checked again because a
        // request that cannot be built would fail every attempt for the same reason.
        if (!DeliveryRequest.IsHttpUrl(renderedUrl))
            return new(new DeliveryRequest(method, renderedUrl, headers, null),
                "Not sent: with this event's values the URL is not a valid http(s) URL.", "url");
        if (body is null) return new(new DeliveryRequest(method, renderedUrl, headers, null), null);

        // UTF-8 takes at least a byte per char, so a render past the limit in chars is past it in bytes too.
        var renderedBody = body.Render(values, limits.MaxBodyBytes);
        if (renderedBody is null || Encoding.UTF8.GetByteCount(renderedBody) > limits.MaxBodyBytes)
            return new(new DeliveryRequest(method, renderedUrl, headers, null),
                $"Not sent: with this event's values the body is larger than {limits.MaxBodyBytes} bytes.", "body");
        return new(new DeliveryRequest(method, renderedUrl, headers, renderedBody), null);
    }

    /// <summary>Renders a saved webhook; its templates were validated when it was saved.</summary>
    public static RenderedRequest Render(Webhook webhook, IReadOnlyDictionary<string, TemplateValue> values, RenderLimits limits) =>
        Render(UrlTemplateOf(webhook.Url), BodyTemplateOf(webhook.Body), values, limits);

    private static UrlTemplate UrlTemplateOf(string url)
    {
        if (UrlTemplates.Count > CacheLimit) UrlTemplates.Clear();
        return UrlTemplates.GetOrAdd(url, UrlTemplate.Parse);
    }

    private static BodyTemplate? BodyTemplateOf(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        if (BodyTemplates.Count > CacheLimit) BodyTemplates.Clear();
        return BodyTemplates.GetOrAdd(body, static text => BodyTemplate.TryParse(text, out var t, out _)
            ? t
            : throw new InvalidOperationException("A saved body template no longer parses."));
    }
}

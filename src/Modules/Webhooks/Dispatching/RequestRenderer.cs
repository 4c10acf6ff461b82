using System.Collections.Concurrent;
using Ellity.Webhooks.Subscribing;
using Ellity.Webhooks.Templating;

namespace Ellity.Webhooks.Dispatching;

/// <summary>The HTTP request a delivery sends, exactly as rendered and recorded.</summary>
public sealed record DeliveryRequest(string Method, string Url, IReadOnlyDictionary<string, string> Headers, string? Body);

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

    public static DeliveryRequest Render(UrlTemplate url, BodyTemplate? body, IReadOnlyDictionary<string, TemplateValue> values)
    {
        var headers = new Dictionary<string, string> { ["User-Agent"] = UserAgent };
        if (body is null) return new DeliveryRequest("GET", url.Render(values), headers, null);

        headers["Content-Type"] = JsonContentType;
        return new DeliveryRequest("POST", url.Render(values), headers, body.Render(values));
    }

    /// <summary>Renders a saved webhook; its templates were validated when it was saved.</summary>
    public static DeliveryRequest Render(Webhook webhook, IReadOnlyDictionary<string, TemplateValue> values) =>
        Render(UrlTemplateOf(webhook.Url), BodyTemplateOf(webhook.Body), values);

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

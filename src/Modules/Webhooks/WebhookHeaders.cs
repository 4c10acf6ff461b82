using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;

namespace Ellity.Webhooks;

/// <summary>The rules for custom headers, and their encryption at rest.</summary>
public sealed partial class WebhookHeaders(IDataProtectionProvider provider)
{
    public const string Mask = "••••••";
    public const int MaxHeaders = 20;
    public const int MaxValueLength = 4096;

    private static readonly string[] Reserved = ["host", "content-length", "content-type", "transfer-encoding", "connection", "user-agent"];

    private readonly IDataProtector _protector = provider.CreateProtector("Ellity.Webhooks.CustomHeaders");

    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$")]
    private static partial Regex TokenPattern();

    public static void Check(IReadOnlyDictionary<string, string>? headers, Dictionary<string, string[]> errors)
    {
        if (headers is null) return;
        if (headers.Count > MaxHeaders) errors["headers"] = [$"At most {MaxHeaders} custom headers."];
        foreach (var (name, value) in headers)
        {
            if (!TokenPattern().IsMatch(name))
                errors[$"headers.{name}"] = ["Not a valid header name."];
            else if (Reserved.Contains(name.ToLowerInvariant()) || name.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase))
                errors[$"headers.{name}"] = ["This header is set by the service and cannot be customised."];
            else if (value is null || value.Length > MaxValueLength || value.Any(c => char.IsControl(c)))
                errors[$"headers.{name}"] = [$"A value of at most {MaxValueLength} characters without control characters is required."];
        }
    }

    public WebhookHeadersChanged Protect(IReadOnlyDictionary<string, string>? headers) => headers is null or { Count: 0 }
        ? new WebhookHeadersChanged(null, [])
        : new WebhookHeadersChanged(_protector.Protect(JsonSerializer.Serialize(headers)), [.. headers.Keys]);

    public IReadOnlyDictionary<string, string> Unprotect(string? protectedHeaders) => protectedHeaders is null
        ? new Dictionary<string, string>()
        : JsonSerializer.Deserialize<Dictionary<string, string>>(_protector.Unprotect(protectedHeaders))!;

    public static IReadOnlyDictionary<string, string> Masked(IEnumerable<string> names) => names.ToDictionary(n => n, _ => Mask);
}

using Microsoft.AspNetCore.Builder;

namespace Ellity.Webhooks;

/// <summary>
/// The language plain-words texts (why a delivery failed) are answered in: Czech when the request's
/// <c>Accept-Language</c> prefers it to English, English otherwise. The Host runs in globalization-invariant mode, so
/// this is not a <see cref="System.Globalization.CultureInfo"/>: numbers and dates in answers never change with it.
/// </summary>
public static class RequestLanguage
{
    public const string Czech = "cs";
    public const string English = "en";

    private static readonly AsyncLocal<string?> Asked = new();

    public static string Current => Asked.Value ?? English;

    /// <summary>Czech or English, the first of the two <paramref name="header"/> ranks highest; null when it names neither.</summary>
    public static string? Preferred(IList<Microsoft.Net.Http.Headers.StringWithQualityHeaderValue> header) => header
        .Where(l => l.Quality is not 0)
        .OrderByDescending(l => l.Quality ?? 1)
        .Select(l => l.Value.Value?.Split('-')[0].ToLowerInvariant())
        .FirstOrDefault(l => l is Czech or English);

    public static IApplicationBuilder UseRequestLanguage(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        Asked.Value = Preferred(context.Request.GetTypedHeaders().AcceptLanguage);
        await next(context);
    });
}

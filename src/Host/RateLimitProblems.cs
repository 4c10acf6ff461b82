using System.Globalization;
using System.Threading.RateLimiting;

namespace Ellity.Host;

/// <summary>A request over one of the modules' rate limits gets a 429 problem saying when to come back.</summary>
internal static class RateLimitProblems
{
    public static IServiceCollection AddRateLimitProblems(this IServiceCollection services) => services.AddRateLimiter(options =>
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.OnRejected = async (context, ct) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
            var seconds = (int)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds));
            context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                detail: $"This e-shop sent more of these requests than its limit allows; retry in {seconds} s.").ExecuteAsync(context.HttpContext);
        };
    });
}

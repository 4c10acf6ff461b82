namespace Ellity.Host;

internal static class RequestLimits
{
    /// <summary>A webhook body template is at most 64 KiB; escaped inside a JSON request it stays well under this.</summary>
    public const long MaxRequestBytes = 1024 * 1024;

    /// <summary>
    /// Refuses a declared oversized body up front with a problem document; Kestrel's own limit
    /// (set to the same size) still stops chunked bodies that grow past it.
    /// </summary>
    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.ContentLength > MaxRequestBytes)
        {
            await TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large",
                detail: $"Requests may carry at most {MaxRequestBytes} bytes.").ExecuteAsync(context);
            return;
        }
        await next(context);
    });
}

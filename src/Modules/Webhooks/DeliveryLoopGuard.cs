using Ellity.Webhooks.Delivering;
using Ellity.Webhooks.Dispatching;
using Microsoft.AspNetCore.Builder;

namespace Ellity.Webhooks;

/// <summary>
/// A webhook whose URL is this service's own API would feed itself: every delivery a request, every request a
/// change, every change a delivery. Requests that carry a delivery's marks (our User-Agent or a
/// <c>webhook-id</c>) are refused before anything else runs, so such a loop ends at its first turn.
/// </summary>
public static class DeliveryLoopGuard
{
    public static IApplicationBuilder UseDeliveryLoopGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var headers = context.Request.Headers;
        if (!headers.UserAgent.ToString().StartsWith(RequestRenderer.UserAgentProduct, StringComparison.OrdinalIgnoreCase)
            && !headers.ContainsKey(DeliveryHeaders.Id))
        {
            await next(context);
            return;
        }
        await TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Webhook deliveries may not call this service",
                detail: "This request carries the marks of an Ellity webhook delivery; a webhook pointing at this API would call itself in a loop.")
            .ExecuteAsync(context);
    });
}

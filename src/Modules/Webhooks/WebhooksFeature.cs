using System.Reflection;
using Microsoft.AspNetCore.Routing;
using Wolverine.Http.CodeGen;

namespace Ellity.Webhooks;

/// <summary>
/// Webhooks is a feature each e-shop adds (<see cref="EshopFeature.Webhooks"/>). Until it has, and once it has removed it,
/// its webhook routes answer 409 with how to add it; the catalog of triggers has no e-shop and stays readable, and so does
/// the audit trail of what was sent (<see cref="KeptWithoutWebhooksFeatureAttribute"/>). Dispatch plans nothing for it,
/// and its webhooks are suspended (see <c>Delivering/SuspendWebhooks</c>).
/// </summary>
public static class WebhooksFeature
{
    public const string Removed = "Not sent: the e-shop removed the Webhooks feature.";

    /// <summary>Whether an event that happened at <paramref name="occurredAt"/> may be sent: the e-shop has had the feature since.</summary>
    public static bool Allows(EshopFeatures? features, DateTimeOffset occurredAt) =>
        EshopFeatures.Since(features, EshopFeature.Webhooks) is { } since && since <= occurredAt;

    public static async Task<ProblemDetails> BeforeAsync(HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var eshopId = (string)http.GetRouteValue("eshopId")!;
        return EshopFeatures.Has(await session.LoadAsync<EshopFeatures>(EshopFeatures.IdFor(eshopId), ct), EshopFeature.Webhooks)
            ? WolverineContinue.NoProblems
            : NotAdded(eshopId);
    }

    public static ProblemDetails NotAdded(string eshopId) => new()
    {
        Status = StatusCodes.Status409Conflict,
        Title = "Webhooks feature not added",
        Detail = $"This e-shop has not added the Webhooks feature. Add it (POST /api/eshops/{eshopId}/features/webhooks, or "
            + "'Add the Webhooks feature' on the admin page), then try again. Webhooks set up before a removal are kept.",
        Extensions = { ["feature"] = EshopFeature.Webhooks },
    };

    /// <summary>Puts the check before every webhook route of an e-shop, and says so in the OpenAPI document.</summary>
    public static void Apply(WolverineHttpOptions options)
    {
        options.AddMiddleware(typeof(WebhooksFeature), Needs);
        options.ConfigureEndpoints(chain =>
        {
            if (Needs(chain)) chain.Metadata.Produces(StatusCodes.Status409Conflict, typeof(ProblemDetails), "application/problem+json");
        });
    }

    private static bool Needs(HttpChain chain) =>
        chain.Method.HandlerType.Assembly == typeof(WebhooksFeature).Assembly
        && chain.RoutePattern?.GetParameter("eshopId") is not null
        && chain.Method.Method.GetCustomAttribute<KeptWithoutWebhooksFeatureAttribute>() is null;
}

/// <summary>An audit read of what was sent: an e-shop keeps it without the Webhooks feature.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class KeptWithoutWebhooksFeatureAttribute : Attribute;

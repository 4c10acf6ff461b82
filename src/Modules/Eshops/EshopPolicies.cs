using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ellity.Eshops;

/// <summary>
/// Who may call what. Deny by default: every endpoint needs a valid key unless it opts out
/// (<c>AllowAnonymous</c>). <see cref="Operator"/>: the operator key only. <see cref="ActsForEshop"/>: the
/// e-shop named by the route value <c>eshopId</c>, compared after routing, exactly as routing decoded it, with
/// that e-shop's own key; or the operator, for a registered e-shop. Anything else is 404, so nobody learns
/// whether another shop or its resources exist, and no request creates data for an e-shop never registered.
/// </summary>
public static class EshopPolicies
{
    public const string Operator = "operator";
    public const string ActsForEshop = "acts-for-eshop";
    public const string EshopRouteValue = "eshopId";

    /// <summary>Rate limiting policy of key rotation: each is an event in the e-shop's stream.</summary>
    public const string KeyRotation = "api-key-rotation";

    public static IServiceCollection AddEshopAccess(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build())
            .AddPolicy(Operator, p => p.RequireAuthenticatedUser()
                .RequireClaim(ApiKeyAuthenticationHandler.RoleClaim, ApiKeyAuthenticationHandler.OperatorRole))
            .AddPolicy(ActsForEshop, p => p.RequireAuthenticatedUser().AddRequirements(new ActsForEshopRequirement()));
        services.AddSingleton<IAuthorizationHandler, ActsForEshopHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, EshopAuthorizationResultHandler>();
        services.AddRateLimiter(limiter => limiter.AddPolicy(KeyRotation, context => RateLimitPartition.GetFixedWindowLimiter(
            context.GetRouteValue(EshopRouteValue) as string ?? "",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })));
        return services;
    }

    /// <summary>Every endpoint whose route names an e-shop acts for it, whatever module defines it.</summary>
    public static void RequireForEshopRoutes(WolverineHttpOptions options) => options.ConfigureEndpoints(chain =>
    {
        if (chain.RoutePattern?.GetParameter(EshopRouteValue) is not null) chain.RequireAuthorization(ActsForEshop);
    });
}

public sealed class ActsForEshopRequirement : IAuthorizationRequirement;

internal sealed class ActsForEshopHandler : AuthorizationHandler<ActsForEshopRequirement, HttpContext>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, ActsForEshopRequirement requirement,
        HttpContext http)
    {
        if (http.GetRouteValue(EshopPolicies.EshopRouteValue) is not string eshopId) return;
        if (context.User.FindFirst(ApiKeyAuthenticationHandler.EshopClaim)?.Value is { } own)
        {
            if (string.Equals(own, eshopId, StringComparison.Ordinal)) context.Succeed(requirement);
            return;
        }
        if (context.User.HasClaim(ApiKeyAuthenticationHandler.RoleClaim, ApiKeyAuthenticationHandler.OperatorRole)
            && Eshop.IsValidId(eshopId)
            && await http.RequestServices.GetRequiredService<IQuerySession>()
                .LoadAsync<Eshop>(Eshop.StreamIdFor(eshopId), http.RequestAborted) is not null)
            context.Succeed(requirement);
    }
}

/// <summary>A request for another (or an unregistered) e-shop is answered 404 like a resource that does not exist.</summary>
internal sealed class EshopAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Forbidden && result.AuthorizationFailure?.FailedRequirements.OfType<ActsForEshopRequirement>().Any() == true)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found").ExecuteAsync(context);
        return _default.HandleAsync(next, context, policy, result);
    }
}

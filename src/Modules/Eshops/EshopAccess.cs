using System.Linq.Expressions;
using System.Security.Claims;
using Marten;
using Marten.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ellity.Eshops;

/// <summary>
/// Who may call <c>/api/eshops/...</c>: the operator key (from configuration) anywhere; an e-shop's
/// API key only under that e-shop's id. No key or an unknown key is 401; another e-shop's key is
/// 404, so nobody learns whether a resource of another shop exists.
/// </summary>
public sealed class EshopAccess(IConfiguration configuration)
{
    public const string ActorClaim = "ellity:actor";

    private string? OperatorKey => configuration["Access:OperatorKey"] is { Length: > 0 } key ? key : null;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var segments = context.Request.Path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (segments is not ["api", "eshops", ..])
        {
            await next(context);
            return;
        }

        var key = BearerToken(context.Request);
        if (key is null)
        {
            await Problem(context, StatusCodes.Status401Unauthorized, "API key required",
                "Send the e-shop's API key as 'Authorization: Bearer <key>'.");
            return;
        }
        if (OperatorKey is { } operatorKey && ApiKeys.Matches(key, ApiKeys.Hash(operatorKey)))
        {
            context.User = Actor("operator");
            await next(context);
            return;
        }
        if (segments.Length < 3)
        {
            await Problem(context, StatusCodes.Status403Forbidden, "Operator only", "Registering e-shops needs the operator key.");
            return;
        }

        var hash = ApiKeys.Hash(key);
        var session = context.RequestServices.GetRequiredService<IQuerySession>();
        var owner = await session.QueryAsync(new EshopByApiKey { ApiKeyHash = hash }, context.RequestAborted);
        if (owner is null)
        {
            await Problem(context, StatusCodes.Status401Unauthorized, "Invalid API key", "The API key is not valid (it may have been rotated).");
            return;
        }
        if (owner.EshopId != Uri.UnescapeDataString(segments[2]))
        {
            await Problem(context, StatusCodes.Status404NotFound, "Not Found", null);
            return;
        }
        context.User = Actor($"eshop:{owner.EshopId}/key:{hash[..8].ToLowerInvariant()}");
        await next(context);
    }

    /// <summary>
    /// The identity changes are recorded under: the operator, or the e-shop and a fingerprint of the
    /// key used (the first hex digits of its hash, which reveal nothing of the key), so a rotated key's
    /// changes stay told apart from the new one's.
    /// </summary>
    private static ClaimsPrincipal Actor(string actor) =>
        new(new ClaimsIdentity([new Claim(ActorClaim, actor)], "ApiKey", nameType: ActorClaim, roleType: null));

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }

    private static async Task Problem(HttpContext context, int status, string title, string? detail)
    {
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized) context.Response.Headers.WWWAuthenticate = "Bearer";
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}

/// <summary>The e-shop an API key belongs to. Compiled: every API request runs it, so its SQL is planned once.</summary>
public sealed class EshopByApiKey : ICompiledQuery<Eshop, Eshop?>
{
    public string ApiKeyHash { get; set; } = "";

    public Expression<Func<IMartenQueryable<Eshop>, Eshop?>> QueryIs() => q => q.FirstOrDefault(e => e.ApiKeyHash == ApiKeyHash);
}

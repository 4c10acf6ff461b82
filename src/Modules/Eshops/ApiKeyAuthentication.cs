using System.Linq.Expressions;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Marten.Linq;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ellity.Eshops;

/// <summary>
/// Who is calling: <c>Authorization: Bearer &lt;key&gt;</c> with the operator key (from configuration) or an
/// e-shop's API key. Which routes each may call is the authorization policies' business (<see cref="EshopPolicies"/>).
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IConfiguration configuration)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    /// <summary>The identity changes are recorded under (Wolverine relays it as the events' user name).</summary>
    public const string ActorClaim = "ellity:actor";

    /// <summary>The e-shop an API key belongs to; the operator key has none.</summary>
    public const string EshopClaim = "ellity:eshop";

    public const string RoleClaim = "ellity:role";
    public const string OperatorRole = "operator";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerToken(Request) is not { } key) return AuthenticateResult.NoResult();

        if (configuration["Access:OperatorKey"] is { Length: > 0 } operatorKey && ApiKeys.Matches(key, ApiKeys.Hash(operatorKey)))
            return Success([new Claim(ActorClaim, "operator"), new Claim(RoleClaim, OperatorRole)]);

        var hash = ApiKeys.Hash(key);
        var session = Context.RequestServices.GetRequiredService<IQuerySession>();
        if (await session.QueryAsync(new EshopByApiKey { ApiKeyHash = hash }, Context.RequestAborted) is not { } owner)
            return AuthenticateResult.Fail("The API key is not valid (it may have been rotated).");
        // The key's fingerprint (the first hex digits of its hash, which reveal nothing of the key) keeps a
        // rotated key's changes told apart from the new one's in the audit trail.
        return Success([new Claim(ActorClaim, $"eshop:{owner.EshopId}/key:{hash[..8].ToLowerInvariant()}"), new Claim(EshopClaim, owner.EshopId)]);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var presented = BearerToken(Request) is not null;
        Response.Headers.WWWAuthenticate = "Bearer";
        await TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized,
            title: presented ? "Invalid API key" : "API key required",
            detail: presented ? "The API key is not valid (it may have been rotated)." : "Send the e-shop's API key as 'Authorization: Bearer <key>'.")
            .ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Operator only", detail: "This needs the operator key.")
            .ExecuteAsync(Context);

    private AuthenticateResult Success(Claim[] claims) => AuthenticateResult.Success(new AuthenticationTicket(
        new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, nameType: ActorClaim, roleType: RoleClaim)), SchemeName));

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header[7..].Trim() is { Length: > 0 } token ? token : null;
    }
}

/// <summary>The e-shop an API key belongs to. Compiled: every API request runs it, so its SQL is planned once.</summary>
public sealed class EshopByApiKey : ICompiledQuery<Eshop, Eshop?>
{
    public string ApiKeyHash { get; set; } = "";

    public Expression<Func<IMartenQueryable<Eshop>, Eshop?>> QueryIs() => q => q.FirstOrDefault(e => e.ApiKeyHash == ApiKeyHash);
}

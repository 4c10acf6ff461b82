using Ellity.Eshops;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using Wolverine.Http;

namespace Ellity.Host;

/// <summary>
/// What <c>/openapi/v1.json</c> says beyond the endpoints' own metadata: how to authenticate and which
/// problem answers each operation can get. Both are read from the metadata access control itself uses
/// (<c>AllowAnonymous</c>, the authorization policies, rate limiting), so the document cannot drift from it.
/// </summary>
public static class OpenApiDocumentation
{
    private const string ProblemSchema = "ProblemDetails";
    private const string ProblemContentType = "application/problem+json";

    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["E-shops"] = "Registering an e-shop (the operator), rotating its API key, adding and removing features (Webhooks), its history.",
        ["Webhooks"] = "A shop's webhooks: configuration, custom headers, signing secret, preview, statistics; the trigger catalog and the defaults.",
        ["Deliveries"] = "The delivery log, redelivery, Send test and recovery of failed deliveries.",
        ["Auditing"] = "A webhook's configuration history.",
        ["Resync"] = "Sending every customer's current state through a webhook, as a job with progress that can be cancelled.",
        ["Customers"] = "Stands in for the rest of Ellity: customers whose changes trigger the webhooks.",
    };

    public static void Describe(OpenApiOptions options)
    {
        options.AddDocumentTransformer(DescribeDocument);
        options.AddOperationTransformer(DescribeOperation);
    }

    private static Task DescribeDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Info.Title = "Ellity Webhooks";
        document.Info.Description =
            "Outbound webhooks for the Ellity loyalty platform: an e-shop configures requests that Ellity sends when something "
            + "happens to one of its customers, and sees every delivery. Every `/api/eshops/...` operation needs "
            + "`Authorization: Bearer <key>`; every error is an RFC 9457 problem details document (`application/problem+json`).";
        // The service describes itself: its API is wherever this document was fetched from, whatever host or proxy that was.
        document.Servers = [new OpenApiServer { Url = "/", Description = "The host serving this document." }];
        document.AddComponent(ApiKeyAuthenticationHandler.SchemeName, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description =
                "`Authorization: Bearer <key>` with one of two kinds of key. An e-shop's API key (`ek_...`, shown once, when the "
                + "e-shop is registered or its key rotated) acts for that e-shop only: another e-shop's routes answer 404. "
                + "The operator key (the `Access:OperatorKey` setting) registers e-shops, reads `/metrics` and acts for any registered e-shop.",
        });
        // Replaces any schema generated from the ProblemDetails type, so every problem answer shares this one.
        document.Components!.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ProblemSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "An RFC 9457 problem details document; further members (`errors`, `traceId`) may appear.",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A URI reference identifying the problem type." },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A short summary of the problem." },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "The HTTP status code." },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What happened in this case." },
                ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A URI reference identifying this occurrence." },
            },
        };
        foreach (var tag in document.Tags ?? Enumerable.Empty<OpenApiTag>())
            if (tag.Name is { } name && TagDescriptions.TryGetValue(name, out var description)) tag.Description = description;
        return Task.CompletedTask;
    }

    private static Task DescribeOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var document = context.Document!;
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToHashSet();
        operation.Responses ??= [];

        // Deny by default: only what opts out of authorization is public, and says so with an empty requirement.
        if (metadata.OfType<IAllowAnonymous>().Any())
            operation.Security = [];
        else
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, document)] = [] }];
            Answers(operation, document, StatusCodes.Status401Unauthorized);
        }
        if (policies.Contains(EshopPolicies.Operator)) Answers(operation, document, StatusCodes.Status403Forbidden);
        if (policies.Contains(EshopPolicies.ActsForEshop)) Answers(operation, document, StatusCodes.Status404NotFound);
        // A Marten write can lose a race on its stream (ProblemExceptionHandler's 409). Wolverine knows which of its endpoints
        // commit a session; any other endpoint but a GET is assumed to. An endpoint may also declare a 409 of its own.
        var writes = metadata.OfType<HttpChain>().FirstOrDefault() is { } chain
            ? chain.IsTransactional
            : !HttpMethods.IsGet(context.Description.HttpMethod ?? "GET");
        if (writes || operation.Responses.ContainsKey("409")) Answers(operation, document, StatusCodes.Status409Conflict);
        if (operation.RequestBody is not null) Answers(operation, document, StatusCodes.Status413PayloadTooLarge);
        if (metadata.OfType<EnableRateLimitingAttribute>().Any() && !metadata.OfType<DisableRateLimitingAttribute>().Any())
            Answers(operation, document, StatusCodes.Status429TooManyRequests);
        return Task.CompletedTask;
    }

    /// <summary>The operation can get this problem: a response shared in the components, added there when first used.</summary>
    private static void Answers(OpenApiOperation operation, OpenApiDocument document, int status)
    {
        var (name, response) = SharedResponse(status, document);
        if (document.Components?.Responses?.ContainsKey(name) != true) document.AddComponent(name, response);
        operation.Responses![status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponseReference(name, document);
    }

    private static (string Name, OpenApiResponse Response) SharedResponse(int status, OpenApiDocument document) => status switch
    {
        StatusCodes.Status401Unauthorized => ("Unauthorized", Problem(document,
            "No API key, or one that is not valid (it may have been rotated). The answer carries `WWW-Authenticate: Bearer`.",
            ("WWW-Authenticate", "`Bearer`: send the key as `Authorization: Bearer <key>`.", JsonSchemaType.String))),
        StatusCodes.Status403Forbidden => ("Forbidden", Problem(document, "Only the operator key may do this; an e-shop's API key is refused.")),
        StatusCodes.Status404NotFound => ("NotFound", Problem(document,
            "The e-shop in the path is not registered or is not the key's own, or the resource does not exist in that e-shop. "
            + "Another e-shop's resources are indistinguishable from ones that do not exist.")),
        StatusCodes.Status409Conflict => ("Conflict", Problem(document,
            "Someone else changed the same resource at the same time (retry the request), or its current state does not allow this "
            + "(the problem's title and detail say why): on a webhook route, that the e-shop has not added the Webhooks feature.")),
        StatusCodes.Status413PayloadTooLarge => ("PayloadTooLarge", Problem(document,
            $"The request is larger than {RequestLimits.MaxRequestBytes} bytes (1 MiB).")),
        StatusCodes.Status429TooManyRequests => ("TooManyRequests", Problem(document,
            "Too many requests: retry after the number of seconds in `Retry-After`.",
            ("Retry-After", "Seconds to wait before retrying.", JsonSchemaType.Integer))),
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "No shared problem response for this status."),
    };

    private static OpenApiResponse Problem(OpenApiDocument document, string description,
        (string Name, string Description, JsonSchemaType Type)? header = null) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            [ProblemContentType] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) },
        },
        Headers = header is { } h
            ? new Dictionary<string, IOpenApiHeader> { [h.Name] = new OpenApiHeader { Description = h.Description, Schema = new OpenApiSchema { Type = h.Type } } }
            : null,
    };
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Ellity.Admin;

/// <summary>
/// The shop owner's admin page (Settings → Integrations → Webhooks): static HTML, CSS and ES
/// modules embedded in this assembly, served under <c>/admin/</c>. The page talks only to the
/// public HTTP API with the e-shop's API key, so this module references no other module.
/// </summary>
public static class AdminModule
{
    public const string Root = "/admin/";

    /// <summary>Only the page's own files may run or load: no inline script, no other origin.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly IFileProvider Files = new ManifestEmbeddedFileProvider(typeof(AdminModule).Assembly, "wwwroot");
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        // The page itself is public; everything it shows comes from the API, with the key the owner signs in with.
        app.MapGet("/admin/{**file}", Serve).ExcludeFromDescription().AllowAnonymous();
        return app;
    }

    private static IResult Serve(string? file, HttpRequest request, HttpResponse response)
    {
        // Relative links in the page resolve against /admin/, so the bare path gets the slash added.
        if (string.IsNullOrEmpty(file) && !request.Path.Value!.EndsWith('/')) return Results.Redirect(Root);

        var info = Files.GetFileInfo(string.IsNullOrEmpty(file) ? "index.html" : file);
        if (!info.Exists || info.IsDirectory || !ContentTypes.TryGetContentType(info.Name, out var contentType))
            return Results.NotFound();

        // Revalidated on every load, so a new version of the service never runs with a stale script.
        response.Headers.CacheControl = "no-cache";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        // frame-ancestors says the same to current browsers; older ones only know this header.
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "no-referrer";
        if (contentType.StartsWith("text/", StringComparison.Ordinal) || contentType == "application/json")
            contentType += "; charset=utf-8";
        return Results.Stream(info.CreateReadStream(), contentType, lastModified: info.LastModified);
    }
}

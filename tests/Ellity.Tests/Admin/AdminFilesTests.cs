using Ellity.Tests.Infrastructure;

namespace Ellity.Tests.Admin;

/// <summary>The Host serves the admin page's embedded files itself: right types, never stale, no foreign or inline script.</summary>
[Collection(AppCollection.Name)]
public sealed class AdminFilesTests(AppFixture app)
{
    private async Task<HttpResponseMessage> GetAsync(string path) =>
        await app.Host.Server.CreateClient().GetAsync(path);

    [Fact]
    public async Task admin_redirects_to_the_page_which_is_served_with_a_strict_policy_and_no_caching()
    {
        using var bare = await GetAsync("/admin");
        using var page = await GetAsync("/admin/");

        Assert.Equal(302, (int)bare.StatusCode);
        Assert.Equal("/admin/", bare.Headers.Location?.ToString());
        Assert.Equal(200, (int)page.StatusCode);
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType?.ToString());
        Assert.Contains("<script type=\"module\" src=\"app.js\"></script>", await page.Content.ReadAsStringAsync());
        var policy = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        // Browsers that predate frame-ancestors keep the page out of frames (clickjacking) by this header.
        Assert.Equal("DENY", string.Join(",", page.Headers.GetValues("X-Frame-Options")));
        Assert.True(page.Headers.CacheControl?.NoCache);
    }

    [Theory]
    [InlineData("/admin/app.js", "text/javascript; charset=utf-8")]
    [InlineData("/admin/i18n/cs.js", "text/javascript; charset=utf-8")]
    [InlineData("/admin/admin.css", "text/css; charset=utf-8")]
    public async Task each_file_has_its_content_type(string path, string contentType)
    {
        using var response = await GetAsync(path);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.ToString());
    }

    [Theory]
    [InlineData("/admin/missing.js")]
    [InlineData("/admin/i18n")]
    public async Task anything_else_is_not_found(string path)
    {
        using var response = await GetAsync(path);

        Assert.Equal(404, (int)response.StatusCode);
    }

    [Fact]
    public async Task a_path_climbing_out_of_the_page_reaches_no_file()
    {
        // The dot segments are resolved before routing: what is left, /appsettings.json, is no endpoint, and nothing
        // without a key is served there (deny by default).
        using var response = await GetAsync("/admin/../appsettings.json");

        Assert.Equal(401, (int)response.StatusCode);
        Assert.DoesNotContain("ConnectionStrings", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain("Webhooks", await response.Content.ReadAsStringAsync());
    }
}

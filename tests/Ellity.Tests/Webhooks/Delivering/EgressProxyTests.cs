using System.Net;
using Ellity.Tests.Infrastructure;
using Ellity.Webhooks;
using Ellity.Webhooks.Delivering;
using Microsoft.Extensions.DependencyInjection;

namespace Ellity.Tests.Webhooks.Delivering;

/// <summary>
/// Deliveries use no proxy but <c>Webhooks:Proxy</c>. Handlers are inspected and used directly: a test
/// must not set HTTP_PROXY or HttpClient.DefaultProxy, which every other test in the process would see.
/// </summary>
public sealed class EgressProxyTests
{
    private const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    /// <summary>The handler the module's delivery client connects with, beneath its logging and circuit breaker.</summary>
    private static SocketsHttpHandler PrimaryHandler(ServiceProvider services)
    {
        HttpMessageHandler handler = services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(WebhookSender.ClientName);
        while (handler is DelegatingHandler outer) handler = outer.InnerHandler!;
        return Assert.IsType<SocketsHttpHandler>(handler);
    }

    [Fact]
    public async Task without_a_configured_proxy_deliveries_ignore_the_environments_proxy()
    {
        await using var services = DeliveryServices.Build();

        var handler = PrimaryHandler(services);

        // UseProxy is what makes SocketsHttpHandler consult HttpClient.DefaultProxy, i.e. HTTP_PROXY and friends.
        Assert.False(handler.UseProxy);
        Assert.Null(handler.Proxy);
    }

    [Fact]
    public async Task with_a_configured_proxy_deliveries_go_through_it_although_its_address_is_internal()
    {
        await using var proxy = new RawHttpServer(Ok);
        // No allowed networks: loopback is refused, except as the configured proxy.
        await using var services = DeliveryServices.Build(new Dictionary<string, string?>
        {
            ["Webhooks:Proxy"] = $"http://127.0.0.1:{proxy.Port}",
        });

        var attempt = await services.GetAsync("http://erp.example.invalid/hook?id=1");

        Assert.Null(attempt.Error);
        Assert.Equal(200, attempt.StatusCode);
        Assert.Equal("GET http://erp.example.invalid/hook?id=1 HTTP/1.1", Assert.Single(proxy.RequestLines));
        var handler = PrimaryHandler(services);
        Assert.True(handler.UseProxy);
        Assert.Equal(new Uri($"http://127.0.0.1:{proxy.Port}"), handler.Proxy!.GetProxy(new Uri("http://erp.example.invalid/")));
    }

    [Fact]
    public async Task the_guard_lets_through_the_proxys_host_and_port_and_nothing_else()
    {
        await using var proxy = new RawHttpServer(Ok);
        await using var other = new RawHttpServer(Ok);
        var guard = new DestinationGuard([], new Uri($"http://127.0.0.1:{proxy.Port}"));
        using var client = new HttpClient(new SocketsHttpHandler { ConnectCallback = guard.ConnectAsync, UseProxy = false });

        using var toProxy = await client.GetAsync($"http://127.0.0.1:{proxy.Port}/");
        var otherPort = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://127.0.0.1:{other.Port}/"));
        var otherName = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://localhost:{proxy.Port}/"));

        Assert.Equal(HttpStatusCode.OK, toProxy.StatusCode);
        Assert.IsType<DestinationBlockedException>(otherPort.InnerException);
        Assert.IsType<DestinationBlockedException>(otherName.InnerException);
        Assert.Empty(other.RequestLines);
    }

    [Theory]
    [InlineData("egress-proxy:3128")]
    [InlineData("//egress-proxy:3128")]
    [InlineData("https://egress-proxy:3128")]
    [InlineData("socks5://egress-proxy:1080")]
    [InlineData("http://user:secret@egress-proxy:3128")]
    public void a_proxy_that_is_not_an_absolute_http_url_stops_the_start(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            DeliveryServices.Build(new Dictionary<string, string?> { ["Webhooks:Proxy"] = value }));

        Assert.StartsWith("Webhooks:Proxy must be an absolute http URL", error.Message);
        Assert.DoesNotContain("secret", error.Message);
    }
}

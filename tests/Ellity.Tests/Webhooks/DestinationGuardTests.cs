using System.Net;
using Ellity.Tests.Infrastructure;
using Ellity.Webhooks;
using Ellity.Webhooks.Delivering;
using Ellity.Webhooks.Dispatching;
using Ellity.Webhooks.Subscribing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ellity.Tests.Webhooks;

/// <summary>Deliveries never reach the network the service runs in, unless configuration allows it.</summary>
public sealed class DestinationGuardTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fd00::1")]
    [InlineData("fe80::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    public void internal_addresses_are_refused(string address)
    {
        Assert.NotNull(new DestinationGuard([]).Refusal(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("172.32.0.1")]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700:4700::1111")]
    public void public_addresses_are_allowed(string address)
    {
        Assert.Null(new DestinationGuard([]).Refusal(IPAddress.Parse(address)));
    }

    [Fact]
    public void the_allow_list_admits_loopback_including_its_ipv4_mapped_form()
    {
        var guard = new DestinationGuard([IPNetwork.Parse("127.0.0.0/8")]);

        Assert.Null(guard.Refusal(IPAddress.Parse("127.0.0.1")));
        Assert.Null(guard.Refusal(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.NotNull(guard.Refusal(IPAddress.Parse("10.0.0.1")));
    }

    [Theory]
    [InlineData("http://127.0.0.1:{port}/hook")]
    [InlineData("http://localhost:{port}/hook")]
    [InlineData("http://[::ffff:127.0.0.1]:{port}/hook")]
    public async Task the_real_sender_records_a_blocked_attempt_and_never_connects(string url)
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => Task.CompletedTask);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection().Build();
        await using var services = new ServiceCollection().AddLogging().AddWebhooksModule(configuration).BuildServiceProvider();
        var sender = services.GetRequiredService<WebhookSender>();
        var request = new DeliveryRequest("GET", url.Replace("{port}", receiver.Port.ToString()),
            new Dictionary<string, string> { ["webhook-id"] = "d1" }, null);

        var attempt = await sender.SendAsync(request, 1, [], new Dictionary<string, string>(), CancellationToken.None);

        Assert.Null(attempt.StatusCode);
        Assert.StartsWith("Blocked:", attempt.Error);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public void https_can_be_required_for_webhook_urls()
    {
        var input = new WebhookInput("X", "customer.credit.changed", "http://erp.example.cz/", null, true);

        Assert.Contains("url", WebhookDefinition.Check(input, requireHttps: true).Errors.Keys);
        Assert.True(WebhookDefinition.Check(input with { Url = "https://erp.example.cz/" }, requireHttps: true).IsValid);
        Assert.True(WebhookDefinition.Check(input, requireHttps: false).IsValid);
    }
}

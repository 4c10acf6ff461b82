using System.Net;
using Ellity.Tests.Infrastructure;
using Ellity.Webhooks;
using Ellity.Webhooks.Delivering;
using Ellity.Webhooks.Subscribing;
using Ellity.Webhooks.Triggers;

namespace Ellity.Tests.Webhooks.Delivering;

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
    [InlineData("192.0.2.1")] // documentation
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.200")]
    [InlineData("2001:db8::1")]
    [InlineData("192.88.99.1")] // 6to4 relay anycast
    [InlineData("100::1")] // discard-only
    [InlineData("fec0::1")] // site-local
    [InlineData("64:ff9b::a00:1")] // NAT64 of 10.0.0.1
    [InlineData("64:ff9b::808:808")] // NAT64 of 8.8.8.8: the whole prefix is refused
    [InlineData("64:ff9b:1::1")] // local-use NAT64
    [InlineData("2001::1")] // Teredo
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2")]
    [InlineData("::10.0.0.1")] // IPv4-compatible
    [InlineData("::8.8.8.8")]
    [InlineData("2002:0a00:0001::")] // 6to4 of 10.0.0.1
    [InlineData("2002:7f00:0001::1")] // 6to4 of 127.0.0.1
    [InlineData("2002:a9fe:a9fe:1234::1")] // 6to4 of 169.254.169.254
    [InlineData("2002:c058:6301::")] // 6to4 of the relay anycast 192.88.99.1
    public void internal_addresses_are_refused(string address)
    {
        Assert.NotNull(new DestinationGuard([]).Refusal(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("172.32.0.1")]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001::1")]
    [InlineData("2002:0808:0808::")] // 6to4 of 8.8.8.8
    [InlineData("2002:5db8:d822::1")] // 6to4 of 93.184.216.34
    [InlineData("192.0.3.1")] // next to the documentation and relay ranges
    [InlineData("192.88.100.1")]
    [InlineData("198.51.101.1")]
    [InlineData("203.0.114.1")]
    [InlineData("2001:db9::1")]
    [InlineData("64:ff9c::1")]
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
    [InlineData("10.0.0.0/8", "2002:0a00:0001::")] // 6to4 is judged as the IPv4 address it carries, allow list included
    [InlineData("2002::/16", "2002:0a00:0001::")]
    [InlineData("2001:db8::/32", "2001:db8::1")]
    [InlineData("64:ff9b::/96", "64:ff9b::a00:1")]
    [InlineData("fec0::/10", "fec0::1")]
    [InlineData("192.0.2.0/24", "::ffff:192.0.2.1")]
    public void an_allowed_network_wins_over_the_new_blocked_forms(string network, string address)
    {
        Assert.NotNull(new DestinationGuard([]).Refusal(IPAddress.Parse(address)));
        Assert.Null(new DestinationGuard([IPNetwork.Parse(network)]).Refusal(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("http://127.0.0.1:{port}/hook")]
    [InlineData("http://localhost:{port}/hook")]
    [InlineData("http://[::ffff:127.0.0.1]:{port}/hook")]
    public async Task the_real_sender_records_a_blocked_attempt_and_never_connects(string url)
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => Task.CompletedTask);
        await using var services = DeliveryServices.Build();

        var attempt = await services.GetAsync(url.Replace("{port}", receiver.Port.ToString()));

        Assert.Null(attempt.StatusCode);
        Assert.StartsWith("Blocked:", attempt.Error);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task a_blocked_attempt_names_only_the_host_and_the_addresses_go_to_the_log()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => Task.CompletedTask);
        var logs = new LogCapture();
        await using var services = DeliveryServices.Build(logs: logs);

        var attempt = await services.GetAsync($"http://localhost:{receiver.Port}/hook");

        Assert.Equal("Blocked: localhost resolves only to internal or reserved addresses, which deliveries may not reach.", attempt.Error);
        foreach (var internalDetail in new[] { "127.0.0.1", "::1", "127.0.0.0/8" })
            Assert.DoesNotContain(internalDetail, attempt.Error);
        var logged = Assert.Single(logs.Lines, l => l.StartsWith($"Warning {typeof(DestinationGuard).FullName}:"));
        Assert.Contains("localhost", logged);
        Assert.Contains("127.0.0.0/8", logged);
    }

    [Fact]
    public async Task a_blocked_address_literal_is_named_as_the_shop_wrote_it()
    {
        await using var services = DeliveryServices.Build();

        var attempt = await services.GetAsync("http://[fd00::1]:8080/hook");

        Assert.Equal("Blocked: fd00::1 is an internal or reserved address, which deliveries may not reach.", attempt.Error);
    }

    private static readonly TriggerCatalog Catalog = new(TriggerCatalog.BuiltIn);

    [Fact]
    public void https_can_be_required_for_webhook_urls()
    {
        var input = new WebhookInput("X", "customer.credit.changed", "http://erp.example.cz/", null, true);

        Assert.Contains("url", WebhookDefinition.Check(Catalog, input, requireHttps: true).Errors.Keys);
        Assert.True(WebhookDefinition.Check(Catalog, input with { Url = "https://erp.example.cz/" }, requireHttps: true).IsValid);
        Assert.True(WebhookDefinition.Check(Catalog, input, requireHttps: false).IsValid);
    }
}

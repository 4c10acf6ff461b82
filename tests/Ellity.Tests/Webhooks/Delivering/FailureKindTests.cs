using System.Net;
using System.Net.Sockets;
using Ellity.Tests.Infrastructure;
using Ellity.Webhooks;

namespace Ellity.Tests.Webhooks.Delivering;

/// <summary>
/// Every common way a receiver fails, through the real sender to a real socket, gets its stable kind, and every kind has
/// plain words in both languages.
/// </summary>
public sealed class FailureKindTests
{
    private static readonly Dictionary<string, string?> Loopback = new() { ["Webhooks:AllowedNetworks:0"] = "127.0.0.0/8" };

    [Theory]
    [InlineData(401, FailureKinds.CredentialsRefused)]
    [InlineData(403, FailureKinds.CredentialsRefused)]
    [InlineData(404, FailureKinds.NotFound)]
    [InlineData(405, FailureKinds.MethodNotAllowed)]
    [InlineData(410, FailureKinds.Gone)]
    [InlineData(413, FailureKinds.PayloadTooLarge)]
    [InlineData(429, FailureKinds.RateLimited)]
    [InlineData(422, FailureKinds.ClientError)]
    [InlineData(500, FailureKinds.ServerError)]
    [InlineData(503, FailureKinds.ServerError)]
    [InlineData(302, FailureKinds.UnexpectedStatus)]
    public async Task an_answer_that_is_not_a_success_gets_the_kind_of_its_status(int status, string kind)
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) =>
        {
            c.Response.StatusCode = status;
            return Task.CompletedTask;
        });
        await using var services = DeliveryServices.Build(Loopback);

        var attempt = await services.GetAsync(receiver.Url);

        Assert.True(attempt.StatusCode == status, $"{attempt.StatusCode}: {attempt.Error}");
        Assert.Equal(kind, attempt.FailureKind);
    }

    [Fact]
    public async Task a_success_has_no_kind()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => Task.CompletedTask);
        await using var services = DeliveryServices.Build(Loopback);

        var attempt = await services.GetAsync(receiver.Url);

        Assert.True(attempt.Succeeded);
        Assert.Null(attempt.FailureKind);
        Assert.Null(FailureKinds.Of(attempt));
    }

    [Fact]
    public async Task a_receiver_that_does_not_answer_in_time_is_a_timeout()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => Task.Delay(TimeSpan.FromSeconds(5), c.RequestAborted));
        // Only this test shortens the timeout: a cold first request on a busy machine can take longer than a second.
        await using var services = DeliveryServices.Build(new Dictionary<string, string?>(Loopback) { ["Webhooks:AttemptTimeout"] = "00:00:01" });

        Assert.Equal(FailureKinds.Timeout, (await services.GetAsync(receiver.Url)).FailureKind);
    }

    [Fact]
    public async Task a_port_nobody_listens_on_is_connection_refused()
    {
        await using var services = DeliveryServices.Build(Loopback);

        Assert.Equal(FailureKinds.ConnectionRefused, (await services.GetAsync($"http://127.0.0.1:{FreePort()}/hook")).FailureKind);
    }

    [Fact]
    public async Task a_host_name_that_does_not_exist_is_dns_not_found()
    {
        await using var services = DeliveryServices.Build(Loopback);

        // .invalid never resolves (RFC 6761).
        Assert.Equal(FailureKinds.DnsNotFound, (await services.GetAsync("http://no-such-receiver.invalid/hook")).FailureKind);
    }

    [Fact]
    public async Task https_to_a_receiver_without_tls_is_a_tls_problem()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) => Task.CompletedTask);
        await using var services = DeliveryServices.Build(Loopback);

        var attempt = await services.GetAsync($"https://127.0.0.1:{receiver.Port}/hook");

        Assert.Equal(FailureKinds.Tls, attempt.FailureKind);
    }

    [Fact]
    public async Task an_internal_address_is_blocked()
    {
        await using var services = DeliveryServices.Build();

        Assert.Equal(FailureKinds.Blocked, (await services.GetAsync("http://10.1.2.3/hook")).FailureKind);
    }

    [Fact]
    public async Task an_answer_that_is_not_http_is_an_invalid_response()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var garbage = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            _ = await stream.ReadAtLeastAsync(new byte[1024], 1, throwOnEndOfStream: false);
            await stream.WriteAsync("SSH-2.0-OpenSSH_9.2\r\n\r\n"u8.ToArray());
        });
        await using var services = DeliveryServices.Build(Loopback);

        var attempt = await services.GetAsync($"http://127.0.0.1:{port}/hook");

        Assert.Equal(FailureKinds.InvalidResponse, attempt.FailureKind);
        await garbage;
    }

    public static TheoryData<string> Kinds => [.. FailureKinds.All];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void every_kind_is_explained_with_a_fix_in_czech_and_in_english(string kind)
    {
        var cs = FailureKinds.Explain(kind, "cs");
        var en = FailureKinds.Explain(kind, "en");

        Assert.All(new[] { cs.Text, cs.Fix, en.Text, en.Fix }, text => Assert.InRange(text.Length, 10, 200));
        Assert.NotEqual(cs.Text, en.Text);
        Assert.NotEqual(cs.Fix, en.Fix);
        // No two kinds read the same: the words tell them apart as the kind does.
        Assert.Single(FailureKinds.All, other => FailureKinds.Explain(other, "en").Text == en.Text);
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}

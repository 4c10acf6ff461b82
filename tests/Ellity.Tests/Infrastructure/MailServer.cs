using System.Buffers;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Ellity.Tests.Infrastructure;

/// <summary>
/// A real SMTP server on 127.0.0.1 in the test process (the SmtpServer package): the Host sends its alert e-mails here over
/// SMTP with MailKit, and tests read what arrived, as MIME messages, by recipient.
/// </summary>
public sealed class MailServer : IAsyncDisposable
{
    private readonly List<MimeMessage> _messages = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    public MailServer()
    {
        Port = ScriptedReceiver.FreePort();
        var options = new SmtpServerOptionsBuilder().ServerName("127.0.0.1")
            .Endpoint(endpoint => endpoint.Endpoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, Port)).IsSecure(false))
            .Build();
        var services = new ServiceProvider();
        services.Add(new Store(this));
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    public int Port { get; }

    /// <summary>The settings that make a Host send e-mail here.</summary>
    public IReadOnlyDictionary<string, string> HostSettings => new Dictionary<string, string>
    {
        ["Notifications:Smtp:Host"] = "127.0.0.1",
        ["Notifications:Smtp:Port"] = Port.ToString(),
        ["Notifications:Smtp:Security"] = "None",
        ["Notifications:Smtp:From"] = "Ellity <alerts@ellity.test>",
        ["Notifications:AdminPageUrl"] = "http://127.0.0.1:5080/admin",
    };

    public IReadOnlyList<MimeMessage> To(string address)
    {
        lock (_messages) return _messages.Where(m => m.To.Mailboxes.Any(b => b.Address == address)).ToList();
    }

    /// <summary>Waits until <paramref name="count"/> messages to the address have arrived (a few seconds at most) and returns them.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(string address, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            var messages = To(address);
            if (messages.Count >= count) return messages;
            await Task.Delay(50);
        }
        throw new TimeoutException($"{To(address).Count} e-mail(s) to {address} arrived, not {count}.");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _running; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }

    private sealed class Store(MailServer server) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction,
            ReadOnlySequence<byte> buffer, CancellationToken ct)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, ct);
            lock (server._messages) server._messages.Add(message);
            return SmtpResponse.Ok;
        }
    }
}

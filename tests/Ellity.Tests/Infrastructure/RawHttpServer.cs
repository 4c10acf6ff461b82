using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ellity.Tests.Infrastructure;

/// <summary>
/// A bare TCP listener on 127.0.0.1 that reads each request's head, records its request line and
/// writes back the exact bytes a test gives: for answers Kestrel would never send, and for a stand-in proxy.
/// </summary>
public sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<string> _requestLines = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public RawHttpServer(string response)
    {
        _listener.Start();
        _accepting = AcceptAsync(Encoding.Latin1.GetBytes(response));
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The first line of every request received, e.g. <c>GET http://erp.example.cz/ HTTP/1.1</c>.</summary>
    public IReadOnlyCollection<string> RequestLines => _requestLines;

    private async Task AcceptAsync(byte[] response)
    {
        try
        {
            while (true)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                await AnswerAsync(client, response);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task AnswerAsync(TcpClient client, byte[] response)
    {
        try
        {
            await using var stream = client.GetStream();
            var head = await ReadHeadAsync(stream);
            var end = head.IndexOf("\r\n", StringComparison.Ordinal);
            if (end < 0) return;
            _requestLines.Enqueue(head[..end]);
            await stream.WriteAsync(response, _stop.Token);
        }
        catch (IOException)
        {
            // The client went away: the next one is still answered.
        }
    }

    private async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n"))
        {
            var n = await stream.ReadAsync(buffer, _stop.Token);
            if (n == 0) break;
            head.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
        return head.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Ellity.Tests.Infrastructure;

/// <summary>A receiver that accepts every connection on 127.0.0.1 and never answers: each request hangs until its timeout.</summary>
public sealed class Tarpit : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _held = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public Tarpit()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hang";

    private long _firstConnection;

    /// <summary>How long ago the first request reached the tarpit (zero before one did).</summary>
    public TimeSpan SinceFirstConnection => Interlocked.Read(ref _firstConnection) is var first and > 0
        ? Stopwatch.GetElapsedTime(first)
        : TimeSpan.Zero;

    public int Connections
    {
        get { lock (_held) return _held.Count; }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.CompareExchange(ref _firstConnection, Stopwatch.GetTimestamp(), 0);
                lock (_held) _held.Add(client);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _accepting;
        _listener.Stop();
        lock (_held) _held.ForEach(c => c.Dispose());
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Ellity.Tests.Infrastructure;

/// <summary>
/// A receiver that accepts every connection on 127.0.0.1 and never answers: each request hangs until its sender gives it up
/// (its timeout), which the tarpit sees as the connection closing.
/// </summary>
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

    private long _firstGivenUp;
    private int _givenUp;

    /// <summary>Requests hanging here now: those not yet given up.</summary>
    public int Open => Connections - Volatile.Read(ref _givenUp);

    /// <summary>When a sender first gave up a request here (closed its connection), by the test machine's clock; null before.</summary>
    public DateTimeOffset? FirstGivenUpAt => Interlocked.Read(ref _firstGivenUp) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>Reads and drops what the sender writes, until it closes the connection.</summary>
    private async Task WatchAsync(TcpClient client)
    {
        var buffer = new byte[4096];
        try
        {
            while (await client.GetStream().ReadAsync(buffer, _stop.Token) > 0) { }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            if (_stop.IsCancellationRequested) return;
        }
        Interlocked.CompareExchange(ref _firstGivenUp, DateTimeOffset.UtcNow.UtcTicks, 0);
        Interlocked.Increment(ref _givenUp);
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
                _ = WatchAsync(client);
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

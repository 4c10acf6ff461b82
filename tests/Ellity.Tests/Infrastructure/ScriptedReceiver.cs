using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ellity.Tests.Infrastructure;

/// <summary>
/// A real receiver on its own 127.0.0.1 port whose every answer a test scripts: the handler gets
/// the request and its 0-based index. Its own port keeps its failures out of other tests' circuit.
/// </summary>
public sealed class ScriptedReceiver : IAsyncDisposable
{
    private readonly Func<HttpContext, int, Task> _answer;
    private readonly List<ReceivedRequest> _requests = [];
    private WebApplication? _app;
    private int _inFlight;

    public ScriptedReceiver(Func<HttpContext, int, Task> answer, int? port = null)
    {
        _answer = answer;
        Port = port ?? FreePort();
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/hook";
    public int MaxInFlight { get; private set; }

    public IReadOnlyList<ReceivedRequest> Requests
    {
        get { lock (_requests) return _requests.ToList(); }
    }

    public static async Task<ScriptedReceiver> StartAsync(Func<HttpContext, int, Task> answer)
    {
        var receiver = new ScriptedReceiver(answer);
        await receiver.StartAsync();
        return receiver;
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            int index;
            lock (_requests)
            {
                index = _requests.Count;
                _requests.Add(new ReceivedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString,
                    context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                    body.ToArray(), DateTimeOffset.UtcNow));
                MaxInFlight = Math.Max(MaxInFlight, ++_inFlight);
            }
            try
            {
                await _answer(context, index);
            }
            finally
            {
                lock (_requests) _inFlight--;
            }
        });
        await _app.StartAsync();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}

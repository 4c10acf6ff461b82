using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ellity.Tests.Infrastructure;

/// <summary><see cref="At"/>: when the request arrived, by the test machine's clock.</summary>
public sealed record ReceivedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body,
    DateTimeOffset At = default)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A real HTTP receiver on 127.0.0.1 that records every request. Each test takes its own path
/// prefix (<see cref="NewEndpoint"/>) and can tell it what status to answer.
/// </summary>
public sealed class Receiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly ConcurrentDictionary<string, int> _statusByPrefix = new();
    private WebApplication? _app;

    public string BaseUrl { get; private set; } = "";

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var pathAndQuery = context.Request.Path + context.Request.QueryString;
            _requests.Enqueue(new ReceivedRequest(
                context.Request.Method,
                pathAndQuery,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body.ToArray(), DateTimeOffset.UtcNow));
            var prefix = "/" + context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            context.Response.StatusCode = _statusByPrefix.GetValueOrDefault(prefix, 200);
            await context.Response.WriteAsync($"answered {context.Response.StatusCode}");
        });
        await _app.StartAsync();
        BaseUrl = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    /// <summary>A fresh path on this receiver, e.g. <c>http://127.0.0.1:41234/7f3a...</c>.</summary>
    /// <summary>From now on, <paramref name="endpoint"/> answers <paramref name="status"/>.</summary>
    public void Answer(string endpoint, int status) => _statusByPrefix[endpoint[BaseUrl.Length..]] = status;

    public string NewEndpoint(int status = 200)
    {
        var prefix = "/" + Guid.NewGuid().ToString("N");
        _statusByPrefix[prefix] = status;
        return BaseUrl + prefix;
    }

    public IReadOnlyList<ReceivedRequest> RequestsTo(string endpoint)
    {
        var path = new Uri(endpoint).AbsolutePath;
        return _requests.Where(r => r.PathAndQuery.StartsWith(path, StringComparison.Ordinal)).ToList();
    }

    public async Task<IReadOnlyList<ReceivedRequest>> WaitForRequestsAsync(string endpoint, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var received = RequestsTo(endpoint);
            if (received.Count >= count) return received;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Expected {count} request(s) to {endpoint}, got {received.Count}.");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}

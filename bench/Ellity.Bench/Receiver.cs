using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ellity.Bench;

/// <summary>One request as the receiver saw it.</summary>
/// <param name="WebhookId">The <c>webhook-id</c> header: the delivery id.</param>
/// <param name="EventId">The customer event's id, from the body (<c>#event.id#</c>).</param>
/// <param name="OccurredAt">The customer event's commit time, from the body (<c>#event.occurredAt#</c>).</param>
/// <param name="ReceivedAt">When the request reached the receiver.</param>
/// <param name="Status">What the receiver answered.</param>
public readonly record struct Receipt(string WebhookId, Guid EventId, DateTime OccurredAt, DateTime ReceivedAt, int Status);

/// <summary>
/// The webhook receiver on 127.0.0.1: answers at once (200, or 503 during an outage) and records every request.
/// </summary>
public sealed class Receiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<Receipt> _receipts = new();
    private WebApplication? _app;
    private readonly ConcurrentDictionary<string, byte> _delivered = new();
    private volatile int _answer = StatusCodes.Status200OK;

    private Receiver(int port) => Port = port;

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/hook";
    public IReadOnlyCollection<Receipt> Receipts => _receipts;

    /// <summary>Distinct deliveries (<c>webhook-id</c>) answered 200 so far.</summary>
    public int DistinctSucceeded => _delivered.Count;

    /// <summary>The status every request gets from now on.</summary>
    public int Answer { set => _answer = value; }

    public static async Task<Receiver> StartAsync()
    {
        var receiver = new Receiver(FreePort());
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{receiver.Port}");
        builder.Logging.ClearProviders();
        receiver._app = builder.Build();
        receiver._app.Run(receiver.HandleAsync);
        await receiver._app.StartAsync();
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var receivedAt = DateTime.UtcNow;
        var status = _answer;
        var body = await ReadBodyAsync(context.Request);
        var (eventId, occurredAt) = EventOf(body);
        var webhookId = context.Request.Headers["webhook-id"].ToString();
        _receipts.Enqueue(new Receipt(webhookId, eventId, occurredAt, receivedAt, status));
        if (status == StatusCodes.Status200OK) _delivered.TryAdd(webhookId, 0);
        context.Response.StatusCode = status;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream((int)(request.ContentLength ?? 512));
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>The <c>"event": {"id", "occurredAt"}</c> object the benchmark's body template carries.</summary>
    private static (Guid EventId, DateTime OccurredAt) EventOf(byte[] body)
    {
        var eventId = Guid.Empty;
        var occurredAt = default(DateTime);
        if (body.Length == 0) return (eventId, occurredAt);
        var reader = new Utf8JsonReader(body);
        var inEvent = false;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName) continue;
            if (reader.CurrentDepth == 1) { inEvent = reader.ValueTextEquals("event"u8); continue; }
            if (!inEvent || reader.CurrentDepth != 2) continue;
            if (reader.ValueTextEquals("id"u8) && reader.Read()) eventId = Guid.Parse(reader.GetString()!);
            else if (reader.ValueTextEquals("occurredAt"u8) && reader.Read())
                occurredAt = DateTime.Parse(reader.GetString()!, CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        }
        return (eventId, occurredAt);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

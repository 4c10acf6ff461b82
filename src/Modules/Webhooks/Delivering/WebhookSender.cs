using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using StandardWebhooks;

namespace Ellity.Webhooks.Delivering;

/// <summary>Sends one attempt of a delivery over HTTP and describes what happened.</summary>
public sealed class WebhookSender(IHttpClientFactory clients, IOptions<WebhooksOptions> options)
{
    public const string ClientName = "webhooks";

    /// <summary>How much text from elsewhere (a reason phrase, an exception's message) an attempt's error may carry.</summary>
    public const int ErrorTextLimit = 200;

    private readonly WebhooksOptions _options = options.Value;

    /// <summary>The e-shop a request is sent for: with its destination, it picks the circuit breaker.</summary>
    public static readonly HttpRequestOptionsKey<string> EshopOption = new("ellity.eshop");

    /// <summary>
    /// Sends one attempt, signed (Standard Webhooks) with each of <paramref name="secrets"/>. When the e-shop's circuit
    /// for the destination is open, nothing is sent and <see cref="BrokenCircuitException"/> is thrown, for the caller
    /// to decide whether that costs the delivery an attempt.
    /// </summary>
    public async Task<DeliveryAttempted> SendAsync(DeliveryRequest request, int number, IReadOnlyList<string> secrets,
        IReadOnlyDictionary<string, string> customHeaders, string eshopId, CancellationToken ct)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.AttemptTimeout);
        try
        {
            using var message = ToHttpRequest(request);
            foreach (var (name, value) in customHeaders)
                message.Headers.TryAddWithoutValidation(name, value);
            Sign(message, request, secrets, startedAt);
            message.Options.Set(EshopOption, eshopId);
            using var response = await clients.CreateClient(ClientName)
                .SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var (body, truncated) = await ReadBoundedAsync(response.Content, _options.ResponseBodyLimitBytes, timeout.Token);
            var status = (int)response.StatusCode;
            var failed = status is < 200 or >= 300;
            var error = failed ? $"The receiver answered {status} {Bounded(response.ReasonPhrase)}." : null;
            return new DeliveryAttempted(number, startedAt, clock.ElapsedMilliseconds, status, error, body, truncated,
                RetryAfterSeconds: RetryAfter(response, startedAt), FailureKind: failed ? FailureKinds.FromStatus(status) : null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Failed(number, startedAt, clock, FailureKinds.Timeout, $"Timed out after {_options.AttemptTimeout.TotalSeconds:0.###} s.");
        }
        catch (HttpRequestException ex) when (ex.InnerException is DestinationBlockedException blocked)
        {
            return Failed(number, startedAt, clock, FailureKinds.Blocked, blocked.Message);
        }
        catch (HttpRequestException ex)
        {
            var (kind, error) = Describe(ex);
            return Failed(number, startedAt, clock, kind, error);
        }
        catch (IOException)
        {
            // The answer broke off (e.g. a reset mid-body): not trusted as a success, so it is retried.
            return Failed(number, startedAt, clock, FailureKinds.ConnectionClosed, "The connection was closed before the complete response arrived.");
        }
        catch (InvalidOperationException ex)
        {
            return Failed(number, startedAt, clock, FailureKinds.NotSent, $"The request could not be sent: {Bounded(ex.Message)}");
        }
    }

    private static DeliveryAttempted Failed(int number, DateTimeOffset startedAt, Stopwatch clock, string kind, string error) =>
        new(number, startedAt, clock.ElapsedMilliseconds, null, error, null, false, FailureKind: kind);

    /// <summary>
    /// <c>webhook-timestamp</c> is this attempt's time; <c>webhook-signature</c> covers the delivery id,
    /// that time and exactly the body bytes sent (empty for a GET), once per active secret.
    /// </summary>
    private static void Sign(HttpRequestMessage message, DeliveryRequest request, IReadOnlyList<string> secrets, DateTimeOffset at)
    {
        if (secrets.Count == 0 || !request.Headers.TryGetValue(DeliveryHeaders.Id, out var id)) return;
        message.Headers.TryAddWithoutValidation(DeliveryHeaders.Timestamp, at.ToUnixTimeSeconds().ToString());
        message.Headers.TryAddWithoutValidation(DeliveryHeaders.Signature, Signature(id, at, request.Body ?? "", secrets));
    }

    public static string Signature(string id, DateTimeOffset at, string body, IReadOnlyList<string> secrets) =>
        string.Join(' ', secrets.Select(secret => new StandardWebhook(secret).Sign(id, at, body)));

    /// <summary>What a 429 or 503 asks for in <c>Retry-After</c> (seconds or an HTTP date), in whole seconds.</summary>
    private static int? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)) return null;
        var header = response.Headers.RetryAfter;
        var delay = header?.Delta ?? (header?.Date is { } date ? date - now : null);
        return delay is { } d ? (int)Math.Clamp(Math.Ceiling(d.TotalSeconds), 0, int.MaxValue) : null;
    }

    private static HttpRequestMessage ToHttpRequest(DeliveryRequest request)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Url);
        if (request.Body is not null)
        {
            // Sent byte for byte as rendered; the content type is the one recorded with the request.
            message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(request.Body));
        }
        foreach (var (name, value) in request.Headers)
        {
            if (message.Content is not null && name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                message.Content.Headers.TryAddWithoutValidation(name, value);
            else
                message.Headers.TryAddWithoutValidation(name, value);
        }
        return message;
    }

    private static async Task<(string? Body, bool Truncated)> ReadBoundedAsync(HttpContent content, int limit, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        var buffer = new byte[limit + 1];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), ct);
            if (n == 0) break;
            read += n;
        }
        if (read == 0) return (null, false);
        var truncated = read > limit;
        return (Encoding.UTF8.GetString(buffer, 0, Math.Min(read, limit)), truncated);
    }

    private static (string Kind, string Error) Describe(HttpRequestException ex) => ex.InnerException switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => (FailureKinds.ConnectionRefused, "Connection refused."),
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData } =>
            (FailureKinds.DnsNotFound, "The host name could not be resolved."),
        SocketException { SocketErrorCode: SocketError.TimedOut } => (FailureKinds.Timeout, "Network error: TimedOut."),
        SocketException s => (FailureKinds.Network, $"Network error: {s.SocketErrorCode}."),
        System.Security.Authentication.AuthenticationException => (FailureKinds.Tls, "TLS handshake failed."),
        IOException => (FailureKinds.ConnectionClosed, "The connection was closed before a complete response arrived."),
        _ => ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => (FailureKinds.DnsNotFound, "The host name could not be resolved."),
            HttpRequestError.ConnectionError => (FailureKinds.Network, "Could not connect to the receiver."),
            HttpRequestError.SecureConnectionError => (FailureKinds.Tls, "TLS handshake failed."),
            HttpRequestError.ResponseEnded => (FailureKinds.ConnectionClosed, "The connection was closed before a complete response arrived."),
            HttpRequestError.InvalidResponse => (FailureKinds.InvalidResponse, "The receiver sent an invalid HTTP response."),
            // The proxy's own answer and address are the operator's business, not the shop's.
            HttpRequestError.ProxyTunnelError => (FailureKinds.Network, "The egress proxy did not open a connection to the receiver."),
            _ => (FailureKinds.Network, $"The request failed: {Bounded(ex.Message)}"),
        },
    };

    /// <summary>
    /// Text that may come from the receiver, as it goes into an attempt's error: a reason phrase can be
    /// up to 64 KiB, so it is cut to <see cref="ErrorTextLimit"/> characters, and control and formatting
    /// characters (line breaks, bidi overrides) are dropped so it cannot disguise what is shown around it.
    /// </summary>
    internal static string Bounded(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var kept = new StringBuilder(Math.Min(text.Length, ErrorTextLimit + 1));
        foreach (var c in text)
        {
            if (char.IsControl(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format) continue;
            if (kept.Length == ErrorTextLimit)
            {
                // Never half a surrogate pair at the cut.
                if (char.IsHighSurrogate(kept[^1])) kept.Length--;
                return kept.Append('…').ToString();
            }
            kept.Append(c);
        }
        return kept.ToString();
    }
}

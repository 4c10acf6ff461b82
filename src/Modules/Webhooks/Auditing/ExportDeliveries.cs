using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Ellity.Webhooks.Auditing;

/// <summary>
/// The e-shop's whole delivery log as NDJSON, oldest first, for archiving or analysis elsewhere.
/// Deliveries are written as Marten reads them, so memory stays flat however many there are.
/// </summary>
public static class ExportDeliveriesEndpoint
{
    public const string ContentType = "application/x-ndjson";

    /// <summary>How much is gathered before it is handed to the response: fewer, larger chunks.</summary>
    private const int ChunkBytes = 64 * 1024;

    [WolverineGet("/api/eshops/{eshopId}/deliveries/export"), Tags("Deliveries"), EnableRateLimiting(WebhookRateLimits.Export), KeptWithoutWebhooksFeature]
    [ProducesResponseType<DeliveryResponse>(StatusCodes.Status200OK, ContentType)] // the schema of each line
    public static Results<PushStreamHttpResult, ValidationProblem> Get(string eshopId, DateTimeOffset? from, DateTimeOffset? to,
        IQuerySession session, IOptions<HttpJsonOptions> json, CancellationToken ct)
    {
        if (from >= to)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["from"] = ["Must be earlier than to (from is inclusive, to exclusive)."],
            });

        var query = session.Query<Delivery>().Where(d => d.EshopId == eshopId);
        if (from is { } f) query = query.Where(d => d.ScheduledAt >= f);
        if (to is { } t) query = query.Where(d => d.ScheduledAt < t);
        var oldestFirst = query.OrderBy(d => d.ScheduledAt).ThenBy(d => d.Id);
        return TypedResults.Stream(body => WriteLines(oldestFirst, body, json.Value.SerializerOptions, ct),
            ContentType, $"deliveries-{eshopId}.ndjson");
    }

    private static async Task WriteLines(IQueryable<Delivery> deliveries, Stream body, JsonSerializerOptions options,
        CancellationToken ct)
    {
        var chunk = new ArrayBufferWriter<byte>(ChunkBytes);
        // One line per delivery whatever the API's indentation setting.
        await using var line = new Utf8JsonWriter(chunk, new JsonWriterOptions { Encoder = options.Encoder, Indented = false });
        await foreach (var delivery in deliveries.ToAsyncEnumerable(ct))
        {
            JsonSerializer.Serialize(line, DeliveryResponse.From(delivery), options);
            line.Flush();
            line.Reset();
            chunk.Write("\n"u8);
            if (chunk.WrittenCount < ChunkBytes) continue;
            await body.WriteAsync(chunk.WrittenMemory, ct);
            chunk.ResetWrittenCount();
        }
        await body.WriteAsync(chunk.WrittenMemory, ct);
    }
}

using Ellity.Webhooks.Triggers;
using JasperFx.CodeGeneration.Frames;
using Wolverine.Attributes;
using Wolverine.Configuration;

namespace Ellity.Webhooks.Subscribing;

/// <summary>
/// Returned by a write endpoint with the events it appends to a webhook's stream: the response is the webhook as Marten
/// folded it with them, read after the commit (as Wolverine's own UpdatedAggregate does), so it cannot drift from what was
/// stored. Health and warnings are added as every read of a webhook adds them.
/// </summary>
public sealed class UpdatedWebhook : IResponseAware
{
    public static void ConfigureResponse(IChain chain)
    {
        if (!chain.TryFindVariable("webhookId", ValueSource.RouteValue, typeof(Guid), out var webhookId))
            throw new InvalidOperationException($"{chain} returns UpdatedWebhook but has no {{webhookId}} in its route.");
        var read = new MethodCall(typeof(UpdatedWebhook), nameof(ReadAsync));
        read.Arguments[1] = webhookId;
        chain.UseForResponse(read);
    }

    public static async Task<WebhookResponse> ReadAsync(IDocumentSession session, Guid webhookId, TriggerCatalog triggers,
        AutoDisablePolicy policy, CancellationToken ct)
    {
        var webhook = await session.Events.FetchLatest<Webhook>(webhookId, ct)
            ?? throw new InvalidOperationException($"Webhook {webhookId} vanished after its change was committed.");
        return WebhookResponse.From(webhook, triggers, await session.LoadAsync<WebhookHealth>(webhookId, ct), policy);
    }
}

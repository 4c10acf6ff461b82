using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Http;

namespace Ellity.Webhooks.Subscribing;

public static class CreateWebhookEndpoint
{
    public static WebhookCreated Decide(string eshopId, WebhookInput input, Guid webhookId, DateTimeOffset now) =>
        new(webhookId, eshopId, input.Name!.Trim(), input.Trigger!, input.Url!,
            string.IsNullOrWhiteSpace(input.Body) ? null : input.Body, input.Enabled ?? true, now, input.RetrySchedule);

    [WolverinePost("/api/eshops/{eshopId}/webhooks"), Tags("Webhooks")]
    public static Results<Created<WebhookResponse>, ValidationProblem> Post(
        string eshopId, WebhookInput? input, IDocumentSession session)
    {
        // A JSON null body is treated as an empty object: every required field is then reported.
        input ??= WebhookInput.Empty;
        var definition = WebhookDefinition.Check(input);
        if (!definition.IsValid) return definition.ToProblem();

        var created = Decide(eshopId, input, Guid.CreateVersion7(), DateTimeOffset.UtcNow);
        session.Events.StartStream<Webhook>(created.WebhookId, created);
        return TypedResults.Created(
            $"/api/eshops/{eshopId}/webhooks/{created.WebhookId}",
            WebhookResponse.From(Webhook.Create(created), warnings: definition.Warnings));
    }
}

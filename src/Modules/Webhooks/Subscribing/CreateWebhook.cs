using Ellity.Webhooks.Delivering;
using Marten;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Http;

namespace Ellity.Webhooks.Subscribing;

/// <summary>The created webhook, plus its signing secret (also readable later at <c>.../secret</c>).</summary>
public sealed record CreatedWebhookResponse(
    Guid Id, string EshopId, string Name, string Trigger, string Url, string? Body, string Method, bool Enabled,
    DateTimeOffset CreatedAt, IReadOnlyList<int>? RetrySchedule, string? DisabledReason,
    IReadOnlyDictionary<string, string> Headers, WebhookHealthResponse Health, IReadOnlyList<VariableWarning> Warnings, string Secret)
{
    public CreatedWebhookResponse(WebhookResponse w, string secret) : this(w.Id, w.EshopId, w.Name, w.Trigger, w.Url, w.Body,
        w.Method, w.Enabled, w.CreatedAt, w.RetrySchedule, w.DisabledReason, w.Headers, w.Health, w.Warnings, secret)
    {
    }
}

public static class CreateWebhookEndpoint
{
    public static WebhookCreated Decide(string eshopId, WebhookInput input, Guid webhookId, DateTimeOffset now, string protectedSecret,
        WebhookHeadersChanged? headers = null) =>
        new(webhookId, eshopId, input.Name!.Trim(), input.Trigger!, input.Url!,
            string.IsNullOrWhiteSpace(input.Body) ? null : input.Body, input.Enabled ?? true, now, input.RetrySchedule, protectedSecret,
            headers?.ProtectedHeaders, headers?.Names);

    [WolverinePost("/api/eshops/{eshopId}/webhooks"), Tags("Webhooks")]
    public static Results<Created<CreatedWebhookResponse>, ValidationProblem> Post(
        string eshopId, WebhookInput? input, IDocumentSession session, IOptions<WebhooksOptions> options,
        WebhookHeaders headers, WebhookSecretProtector secrets)
    {
        // A JSON null body is treated as an empty object: every required field is then reported.
        input ??= WebhookInput.Empty;
        var definition = WebhookDefinition.Check(input, options.Value.RequireHttps);
        if (!definition.IsValid) return definition.ToProblem();

        var secret = WebhookSecrets.New();
        var created = Decide(eshopId, input, Guid.CreateVersion7(), DateTimeOffset.UtcNow, secrets.Protect(secret),
            headers.Protect(input.Headers));
        session.Events.StartStream<Webhook>(created.WebhookId, created);
        var response = WebhookResponse.From(Webhook.Create(created), warnings: definition.Warnings);
        return TypedResults.Created($"/api/eshops/{eshopId}/webhooks/{created.WebhookId}",
            new CreatedWebhookResponse(response, secret));
    }
}

using Ellity.Webhooks.Conditions;
using Ellity.Webhooks.Triggers;
using Microsoft.Extensions.Options;

namespace Ellity.Webhooks.Subscribing;

/// <summary>The created webhook, plus its signing secret (also readable later at <c>.../secret</c>).</summary>
public sealed record CreatedWebhookResponse(
    Guid Id, string EshopId, string Name, string Trigger, string Url, string? Body, string Method, bool Enabled,
    DateTimeOffset CreatedAt, IReadOnlyList<int>? RetrySchedule, string? DisabledReason,
    IReadOnlyDictionary<string, string> Headers, WebhookHealthResponse Health, IReadOnlyList<VariableWarning> Warnings, string Secret,
    IReadOnlyList<Condition> Conditions, DeliveryRateLimit? RateLimit, string Ordering, AutoDisabling? AutoDisabled)
{
    public CreatedWebhookResponse(WebhookResponse w, string secret) : this(w.Id, w.EshopId, w.Name, w.Trigger, w.Url, w.Body,
        w.Method, w.Enabled, w.CreatedAt, w.RetrySchedule, w.DisabledReason, w.Headers, w.Health, w.Warnings, secret, w.Conditions,
        w.RateLimit, w.Ordering, w.AutoDisabled)
    {
    }
}

public static class CreateWebhookEndpoint
{
    public static WebhookCreated Decide(string eshopId, WebhookInput input, Guid webhookId, DateTimeOffset now, string protectedSecret,
        WebhookHeadersChanged? headers = null, WebhookDefinition? definition = null) =>
        new(webhookId, eshopId, input.Name!.Trim(), input.Trigger!, input.Url!,
            string.IsNullOrWhiteSpace(input.Body) ? null : input.Body, input.Enabled ?? true, now, input.RetrySchedule, protectedSecret,
            headers?.ProtectedHeaders, headers?.Names, definition?.Conditions, definition?.RateLimit, definition?.Ordering);

    /// <summary>
    /// The definition's problems (400), then the e-shop's limit (409). The e-shop's creates wait for each other here until
    /// this request's transaction commits (on every node: the lock is PostgreSQL's), so concurrent ones cannot all count
    /// the same number and pass the limit together.
    /// </summary>
    public static async Task<ProblemDetails> ValidateAsync(string eshopId, WebhookInput? input, IDocumentSession session,
        IOptions<WebhooksOptions> options, TriggerCatalog triggers, CancellationToken ct)
    {
        // A JSON null body is treated as an empty object: every required field is then reported.
        var definition = WebhookDefinition.Check(triggers, input ?? WebhookInput.Empty, options.Value.RequireHttps);
        if (!definition.IsValid) return definition.ToProblem().ProblemDetails;

        await session.BeginTransactionAsync(ct);
        await session.QueryAsync<int>("select 1 from pg_advisory_xact_lock(hashtextextended(?, 0))", ct, WebhookLookup.CreationLock(eshopId));
        // The feature may have been removed since the check before this one: under the lock, its removal suspends this webhook
        // only once this transaction has committed.
        if (!EshopFeatures.Has(await session.LoadAsync<EshopFeatures>(EshopFeatures.IdFor(eshopId), ct), EshopFeature.Webhooks))
            return WebhooksFeature.NotAdded(eshopId);
        var count = await session.Query<Webhook>().CountAsync(w => w.EshopId == eshopId && !w.Deleted, ct);
        return count < options.Value.MaxWebhooksPerEshop
            ? WolverineContinue.NoProblems
            : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many webhooks",
                detail: $"This e-shop has {count} webhooks, the most it may have; delete one before adding another.",
                extensions: new Dictionary<string, object?> { ["limit"] = options.Value.MaxWebhooksPerEshop }).ProblemDetails;
    }

    [ProducesResponseType<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [WolverinePost("/api/eshops/{eshopId}/webhooks"), Tags("Webhooks"), EnableRateLimiting(WebhookRateLimits.Writes)]
    public static (Created<CreatedWebhookResponse>, IStartStream) Post(string eshopId, WebhookInput? input, WebhookHeaders headers,
        WebhookSecretProtector secrets, TriggerCatalog triggers, IOptions<WebhooksOptions> options)
    {
        var secret = WebhookSecrets.New();
        // Checked by ValidateAsync; checked again here for the conditions and rate limit in the form they are stored.
        var definition = WebhookDefinition.Check(triggers, input!, options.Value.RequireHttps);
        var created = Decide(eshopId, input!, Guid.CreateVersion7(), DateTimeOffset.UtcNow, secrets.Protect(secret),
            headers.Protect(input!.Headers), definition);
        var response = new CreatedWebhookResponse(WebhookResponse.From(Webhook.Create(created), triggers), secret);
        return (TypedResults.Created($"/api/eshops/{eshopId}/webhooks/{created.WebhookId}", response),
            MartenOps.StartStream<Webhook>(created.WebhookId, created));
    }
}

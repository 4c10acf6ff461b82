namespace Ellity.Webhooks;

/// <summary>
/// Every webhook is looked up within the e-shop in the path: another shop's webhook, or a deleted
/// one, is simply not found.
/// </summary>
internal static class WebhookLookup
{
    public static async Task<Webhook?> Load(IQuerySession session, string eshopId, Guid webhookId, CancellationToken ct) =>
        await LoadForAudit(session, eshopId, webhookId, ct) is { Deleted: false } webhook ? webhook : null;

    /// <summary>Auditors still see a deleted webhook's history and deliveries.</summary>
    public static async Task<Webhook?> LoadForAudit(IQuerySession session, string eshopId, Guid webhookId, CancellationToken ct)
    {
        var webhook = await session.LoadAsync<Webhook>(webhookId, ct);
        return webhook?.EshopId == eshopId ? webhook : null;
    }

    /// <summary>For an endpoint's Validate: no problem when the webhook loaded for the route is this e-shop's and not deleted.</summary>
    public static ProblemDetails Found(Webhook? webhook, string eshopId, Guid webhookId) =>
        webhook is { Deleted: false } && webhook.EshopId == eshopId ? WolverineContinue.NoProblems : NotFound(webhookId).ProblemDetails;

    /// <summary>The advisory lock creating a webhook of the e-shop takes, and suspending or resuming its webhooks.</summary>
    public static string CreationLock(string eshopId) => "webhooks of " + eshopId;

    public static ProblemHttpResult NotFound(Guid webhookId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Webhook not found",
        detail: $"No webhook {webhookId} in this e-shop.");
}

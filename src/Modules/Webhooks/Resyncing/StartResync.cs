using System.Text.Json.Serialization;
using Ellity.Customers.Contracts;

namespace Ellity.Webhooks.Resyncing;

/// <param name="OnlyMatching">Send only the customers who meet the webhook's conditions; everyone when false or missing.</param>
/// <remarks>Unknown fields are refused: a mistyped <c>onlyMatching</c> would otherwise send every customer.</remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record StartResync(bool? OnlyMatching);

/// <summary>
/// Send every customer's current state through the webhook: a job that goes a page at a time, at the webhook's rate limit,
/// each customer an ordinary delivery marked with the job. One per webhook at a time.
/// </summary>
public static class StartResyncEndpoint
{
    public static ProblemDetails Validate(StartResync? command, Webhook? webhook, string eshopId, Guid webhookId)
    {
        if (command is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [""] = ["A JSON object is required: {} to send every customer, {\"onlyMatching\": true} for those meeting the webhook's conditions."],
            }).ProblemDetails;
        var found = WebhookLookup.Found(webhook, eshopId, webhookId);
        if (!ReferenceEquals(found, WolverineContinue.NoProblems)) return found;
        if (ResyncJob.Stopped(webhook) is { } why)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Webhook not sending",
                detail: $"{why} A resync sends only through a webhook that is on.").ProblemDetails;
        // Two calls racing past this check append to the same version of the webhook's stream: one of them fails.
        if (webhook!.ResyncJobId is { } running)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Resync in progress",
                detail: $"Resync {running} of this webhook is still running: cancel it or wait for it to end.").ProblemDetails;
        return WolverineContinue.NoProblems;
    }

    public static ResyncStarted Decide(Webhook webhook, StartResync? command, Guid jobId, DateTimeOffset now, int total) =>
        new(jobId, webhook.EshopId, webhook.Id, now, command?.OnlyMatching ?? false, total);

    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [WolverinePost("/api/eshops/{eshopId}/webhooks/{webhookId}/resyncs"), Tags("Resync"), EnableRateLimiting(WebhookRateLimits.Resync)]
    public static async Task<(Accepted<ResyncResponse>, Events, IStartStream, OutgoingMessages)> Post(string eshopId, StartResync? command,
        [WriteAggregate(Required = false)] Webhook? webhook, ICustomerDirectory customers, CancellationToken ct)
    {
        // In whole microseconds, as PostgreSQL keeps the events' times the customers are read as of.
        var now = Dispatching.DispatchCustomerEvents.ScheduledNow();
        var started = Decide(webhook!, command, Guid.CreateVersion7(), now, await customers.CountAsync(eshopId, ct));
        return (TypedResults.Accepted($"/api/eshops/{eshopId}/webhooks/{started.WebhookId}/resyncs/{started.JobId}",
                ResyncResponse.From(ResyncJob.Create(started))),
            [new WebhookResyncStarted(started.JobId, started.OnlyMatching, started.At)],
            MartenOps.StartStream<ResyncJob>(started.JobId, started),
            [new SendResyncPage(started.JobId, started.WebhookId, 1)]);
    }
}

namespace Ellity.Webhooks.Resyncing;

/// <summary>
/// Stop a running resync before its next page. The deliveries of pages already sent are ordinary deliveries and go on;
/// a new resync can start at once and sends everyone again.
/// </summary>
public static class CancelResyncEndpoint
{
    public const string ByUser = "Cancelled on request.";

    public static Task<ResyncJob?> LoadAsync(Guid jobId, IDocumentSession session, CancellationToken ct) =>
        session.LoadAsync<ResyncJob>(jobId, ct);

    public static ProblemDetails Validate(ResyncJob? job, string eshopId, Guid webhookId, Guid jobId)
    {
        if (!ResyncLookup.Belongs(job, eshopId, webhookId)) return ResyncLookup.NotFound(jobId).ProblemDetails;
        return job!.Status == ResyncStatus.Running ? WolverineContinue.NoProblems
            : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Resync already ended",
                detail: $"Resync {jobId} is {job.Status.ToString().ToLowerInvariant()}.").ProblemDetails;
    }

    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [WolverinePost("/api/eshops/{eshopId}/webhooks/{webhookId}/resyncs/{jobId}/cancel"), Tags("Resync"),
     EnableRateLimiting(WebhookRateLimits.Writes)]
    public static ResyncResponse Post([NotBody] ResyncJob job, IDocumentSession session)
    {
        // Appended without expecting the version read: a page committed meanwhile is no conflict, the job just ends after it.
        // A page that has not committed yet fails on the job's version instead, and handled again it finds the job cancelled.
        var cancelled = new ResyncCancelled(DateTimeOffset.UtcNow, ByUser, ByUser: true);
        session.Events.Append(job.Id, cancelled);
        session.Events.Append(job.WebhookId, new WebhookResyncEnded(job.Id, "cancelled", cancelled.At));
        return ResyncResponse.From(job.Apply(cancelled));
    }
}

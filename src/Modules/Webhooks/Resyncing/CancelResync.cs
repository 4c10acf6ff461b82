using JasperFx;

namespace Ellity.Webhooks.Resyncing;

/// <summary>
/// Stop a running resync before its next page. The deliveries of pages already sent are ordinary deliveries and go on;
/// a new resync can start at once and sends everyone again.
/// </summary>
public static class CancelResyncEndpoint
{
    public const string ByUser = "Cancelled on request.";

    /// <summary>How many times a cancel reads the job again after a page was committed under it.</summary>
    private const int Tries = 5;

    public static Task<ResyncJob?> LoadAsync(Guid jobId, IDocumentSession session, CancellationToken ct) =>
        session.LoadAsync<ResyncJob>(jobId, ct);

    public static ProblemDetails Validate(ResyncJob? job, string eshopId, Guid webhookId, Guid jobId)
    {
        if (!ResyncLookup.Belongs(job, eshopId, webhookId)) return ResyncLookup.NotFound(jobId).ProblemDetails;
        return job!.Status == ResyncStatus.Running ? WolverineContinue.NoProblems : Ended(job).ProblemDetails;
    }

    /// <summary>The cancel, or null when the job has ended meanwhile (a page completed it, another cancel got there first).</summary>
    public static ResyncCancelled? Decide(ResyncJob job, DateTimeOffset now) =>
        job.Status == ResyncStatus.Running ? new ResyncCancelled(now, ByUser, ByUser: true) : null;

    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [WolverinePost("/api/eshops/{eshopId}/webhooks/{webhookId}/resyncs/{jobId}/cancel"), Tags("Resync"),
     EnableRateLimiting(WebhookRateLimits.Writes)]
    public static async Task<Results<Ok<ResyncResponse>, ProblemHttpResult>> Post([NotBody] ResyncJob job, IDocumentSession session,
        CancellationToken ct)
    {
        // Appended at the version read, like a page: a page committed meanwhile is read again and the cancel follows it;
        // a page that has not committed yet fails on the version instead, and handled again it finds the job cancelled.
        // So a job ends once, whichever of two cancels, or a cancel and its last page, comes first.
        for (var attempt = 1; ; attempt++)
        {
            var stream = await session.Events.FetchForWriting<ResyncJob>(job.Id, ct);
            var current = stream.Aggregate!;
            if (Decide(current, DateTimeOffset.UtcNow) is not { } cancelled) return Ended(current);
            stream.AppendOne(cancelled);
            session.Events.Append(current.WebhookId, WebhookResyncEnded.Of(current.Id, ResyncStatus.Cancelled, cancelled.At));
            try
            {
                await session.SaveChangesAsync(ct);
                return TypedResults.Ok(ResyncResponse.From(current.Apply(cancelled)));
            }
            catch (ConcurrencyException) when (attempt < Tries)
            {
                session.EjectAllPendingChanges();
            }
        }
    }

    private static ProblemHttpResult Ended(ResyncJob job) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Resync already ended",
            detail: $"Resync {job.Id} is {job.Status.ToString().ToLowerInvariant()}.");
}

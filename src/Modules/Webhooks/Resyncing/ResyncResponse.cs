namespace Ellity.Webhooks.Resyncing;

/// <summary>
/// A resync's progress: <c>processed</c> of <c>total</c> customers went through (<c>percent</c>), <c>sent</c> of them as
/// deliveries, <c>skipped</c> for not meeting the webhook's conditions. <c>total</c> is how many customers the e-shop had when
/// it started; one erased meanwhile is left out, so a completed job can have processed fewer. <c>cancelledBy</c>: <c>user</c> or
/// <c>system</c> (the webhook stopped sending), with <c>cancelReason</c>, once cancelled.
/// </summary>
public sealed record ResyncResponse(
    Guid Id, Guid WebhookId, string Status, bool OnlyMatching, DateTimeOffset StartedAt, DateTimeOffset? EndedAt,
    int Total, int Processed, int Sent, int Skipped, int Percent, string? CancelReason, string? CancelledBy)
{
    public static ResyncResponse From(ResyncJob job) => new(
        job.Id, job.WebhookId, job.Status.ToString().ToLowerInvariant(), job.OnlyMatching, job.StartedAt, job.EndedAt,
        job.Total, job.Processed, job.Sent, job.Skipped, PercentOf(job), job.CancelReason,
        job.Status != ResyncStatus.Cancelled ? null : job.CancelledByUser ? "user" : "system");

    private static int PercentOf(ResyncJob job) => job.Status == ResyncStatus.Completed ? 100
        : job.Total == 0 ? 0 : Math.Min(99, (int)(100L * job.Processed / job.Total));
}

internal static class ResyncLookup
{
    /// <summary>Within the webhook in the path and its e-shop: another's job is simply not found.</summary>
    public static bool Belongs(ResyncJob? job, string eshopId, Guid webhookId) =>
        job is not null && job.EshopId == eshopId && job.WebhookId == webhookId;

    public static ProblemHttpResult NotFound(Guid jobId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Resync not found", detail: $"No resync {jobId} of this webhook.");
}

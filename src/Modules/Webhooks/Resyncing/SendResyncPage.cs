using Ellity.Customers.Contracts;
using Ellity.Webhooks.Delivering;
using Ellity.Webhooks.Dispatching;
using Ellity.Webhooks.Templating;
using Ellity.Webhooks.Triggers;
using Microsoft.Extensions.Options;

namespace Ellity.Webhooks.Resyncing;

/// <summary>
/// Send page <see cref="Page"/> of a resync's customers: the job says where the one before it ended. <see cref="Waited"/>:
/// how many times it was put off because the page before was not attempted yet.
/// </summary>
public sealed record SendResyncPage(Guid JobId, Guid WebhookId, int Page, int Waited = 0);

/// <summary>What one page makes: the job's events, the first attempts of its deliveries, and when the next page is due.</summary>
public sealed record ResyncPage(IReadOnlyList<object> Events, IReadOnlyList<object> Attempts, TimeSpan? NextAfter);

public static class SendResyncPageHandler
{
    public const int MaxPageSize = 100;

    /// <summary>
    /// A page holds what the webhook may be sent in this long (never more than <see cref="MaxPageSize"/>), so a cancel takes
    /// effect within it, and progress moves at least this often, however slow the webhook's limit.
    /// </summary>
    public static readonly TimeSpan PageSpan = TimeSpan.FromSeconds(5);

    /// <summary>The time between two deliveries of the resync: the webhook's rate limit, or the resync's own default pace.</summary>
    public static TimeSpan Interval(Webhook webhook, WebhooksOptions options) =>
        webhook.RateLimit?.Interval ?? TimeSpan.FromSeconds(1) / Math.Max(1, options.ResyncPerSecond);

    public static int PageSize(TimeSpan interval) => (int)Math.Clamp(PageSpan / interval, 1, MaxPageSize);

    /// <summary>
    /// How long a page waits, again and again, for every delivery of the page before to have been attempted, and for how long
    /// at most: a receiver that hangs holds the resync up instead of filling the queue with its customers; past the bound
    /// (an attempt lost, say) the resync goes on.
    /// </summary>
    public static readonly TimeSpan WaitForAttempts = TimeSpan.FromSeconds(1);

    public const int MaxWaits = 300;

    /// <summary>
    /// The job and its page are read for writing, so a cancel committed meanwhile makes this page's transaction fail on the
    /// job's version; the page handled again finds the job cancelled and sends nothing. A page handled twice (at-least-once
    /// messaging) finds the job past it. Either way its deliveries are queued once, with the job's progress.
    /// </summary>
    public static async Task<OutgoingMessages> Handle(SendResyncPage command, IDocumentSession session, ICustomerDirectory customers,
        TriggerCatalog catalog, IOptions<WebhooksOptions> options, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<ResyncJob>(command.JobId, ct);
        if (stream.Aggregate is not { Status: ResyncStatus.Running } job || job.Pages != command.Page - 1) return [];
        if (job.LastPageSent > 0 && command.Waited < MaxWaits && await AttemptedAsync(session, job, ct) < job.LastPageSent)
            return [(command with { Waited = command.Waited + 1 }).DelayedFor(WaitForAttempts)];
        var webhook = await session.LoadAsync<Webhook>(job.WebhookId, ct);
        var now = DateTimeOffset.UtcNow;
        ResyncPage decided;
        var stopped = ResyncJob.Stopped(webhook);
        if (stopped is not null || catalog.Find(webhook!.Trigger) is not { } trigger)
            decided = new([new ResyncCancelled(now, stopped ?? "The webhook's trigger no longer exists.")], [], null);
        else
        {
            var interval = Interval(webhook, options.Value);
            var page = await customers.PageAsync(job.EshopId, job.StartedAt, job.After, PageSize(interval), ct);
            decided = Decide(job, webhook, trigger, page, now, interval, options.Value);
        }

        stream.AppendMany(decided.Events);
        var ended = decided.Events.OfType<ResyncCompleted>().Any() ? ResyncStatus.Completed
            : decided.Events.OfType<ResyncCancelled>().Any() ? ResyncStatus.Cancelled : (ResyncStatus?)null;
        if (ended is { } status) session.Events.Append(job.WebhookId, WebhookResyncEnded.Of(job.Id, status, now));
        var messages = new OutgoingMessages();
        messages.AddRange(decided.Attempts);
        if (decided.NextAfter is { } after)
        {
            var next = command with { Page = command.Page + 1, Waited = 0 };
            if (after > TimeSpan.Zero) messages.Add(next.DelayedFor(after));
            else messages.Add(next);
        }
        return messages;
    }

    /// <summary>
    /// How many of the latest page's deliveries have been attempted (or ended unsent, or are held in order): their streams are
    /// written by then. An index range on the webhook and the time, as long as the page, whatever the length of the log.
    /// </summary>
    private static Task<int> AttemptedAsync(IQuerySession session, ResyncJob job, CancellationToken ct) =>
        session.Query<Delivery>().CountAsync(d => d.WebhookId == job.WebhookId && d.ScheduledAt >= job.LastPageScheduledAt
            && d.ResyncJobId == job.Id, ct);

    /// <summary>
    /// One page of customers as deliveries: each customer's state as of the job's start, through the webhook's template (only
    /// those meeting its conditions, if the job says so). The next page is due when the webhook may have been sent this one's.
    /// </summary>
    public static ResyncPage Decide(ResyncJob job, Webhook webhook, Trigger trigger, CustomerPage page, DateTimeOffset now,
        TimeSpan interval, WebhooksOptions options)
    {
        var attempts = new List<object>();
        var ordered = new List<DeliveryScheduled>();
        var skipped = 0;
        var first = DispatchCustomerEvents.ScheduledNow();
        var at = first;
        foreach (var customer in page.Customers)
        {
            var eventId = job.EventIdFor(customer.Id);
            var values = trigger.StateValuesFor(customer, eventId, job.StartedAt);
            if (job.OnlyMatching && webhook.Unmet(values) is not null)
            {
                skipped++;
                continue;
            }
            var delivery = Plan(job, webhook, trigger, customer, eventId, values, at, options);
            // Each a microsecond after the one before, so the delivery log keeps the customers' order.
            at = at.AddTicks(TimeSpan.TicksPerMicrosecond);
            if (webhook.OrderedPerCustomer && delivery.NotSent is null) ordered.Add(delivery.Scheduled);
            else attempts.Add(delivery.Queue());
        }
        if (ordered.Count > 0) attempts.Add(new StartOrderedDeliveries(ordered));

        var sent = page.Customers.Count - skipped;
        List<object> events = [new ResyncPageSent(now, job.Pages + 1, page.After ?? job.After, page.Customers.Count, sent, skipped, first)];
        if (page.After is null) events.Add(new ResyncCompleted(now));
        return new(events, attempts, page.After is null ? null : interval * sent);
    }

    private static PlannedDelivery Plan(ResyncJob job, Webhook webhook, Trigger trigger, CustomerSnapshot customer, Guid eventId,
        IReadOnlyDictionary<string, TemplateValue> values, DateTimeOffset at, WebhooksOptions options)
    {
        var planned = DispatchCustomerEvents.Plan(webhook, DeliveryIds.For(webhook.Id, eventId), trigger, values, at,
            webhook.RetrySchedule ?? options.EffectiveRetrySchedule, options.RenderLimits);
        var request = planned.Scheduled.Request;
        return planned with
        {
            Scheduled = planned.Scheduled with
            {
                SourceEventId = eventId, SourceOccurredAt = job.StartedAt, CustomerId = customer.Id, ResyncJobId = job.Id,
                Request = request with { Headers = new Dictionary<string, string>(request.Headers) { [ResyncJob.Header] = job.Id.ToString() } },
            },
        };
    }

    /// <summary>A resync whose page message was dead-lettered ends, so that the next one can start.</summary>
    public static async Task Handle(Fault<SendResyncPage> fault, IDocumentSession session, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<ResyncJob>(fault.Message.JobId, ct);
        if (stream.Aggregate is not { Status: ResyncStatus.Running } job) return;
        var now = DateTimeOffset.UtcNow;
        stream.AppendOne(new ResyncCancelled(now, $"Stopped by an internal error ({fault.Exception.Type}); start it again to send everyone."));
        session.Events.Append(job.WebhookId, WebhookResyncEnded.Of(job.Id, ResyncStatus.Cancelled, now));
    }
}

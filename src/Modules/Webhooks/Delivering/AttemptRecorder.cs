using System.Threading.Channels;
using Ellity.Webhooks.Erasing;
using JasperFx;
using Microsoft.Extensions.Logging;
using Npgsql;
using Wolverine.Marten.Publishing;
using Wolverine.Runtime;

namespace Ellity.Webhooks.Delivering;

/// <summary>
/// What an attempt handler records: the events for its delivery's stream, appended only if the stream is still at
/// <see cref="Version"/> (the version the handler decided from); the next attempt to schedule, in the same transaction
/// so a recorded retry is never without its message. With
/// <see cref="Start"/> (a first attempt), the stream is started with it and the events, unless a twin already did.
/// <see cref="Release"/>: the next delivery of an ordered webhook for the same customer, to release once this one has ended.
/// </summary>
public sealed record AttemptRecord(Guid DeliveryId, long Version, IReadOnlyList<object> Events,
    AttemptDelivery? Next = null, DateTimeOffset NextAt = default, DeliveryScheduled? Start = null, ReleaseOrderedDelivery? Release = null)
{
    public bool Ends => Events.Any(e => e is DeliverySucceeded or DeliveryFailed);
}

/// <summary>
/// Group commit: the outcomes of the attempts that finish while a commit is under way are written together by the next
/// one, in one session and one transaction, so the pipeline pays a round trip and a commit per group instead of per
/// delivery. Each handler waits until its own record is committed before it returns, so its message is marked handled
/// only after its outcome is durable: a process that dies first replays the message, which finds the stream unchanged
/// and attempts again (at-least-once, as before). There is no timer: a lone attempt is written at once, and under load
/// the group grows with the load. Two groups are committed at a time, so the attempts that finish during one commit
/// start theirs without waiting for it to end (measured in bench/README.md).
/// </summary>
public sealed partial class AttemptRecorder : IAsyncDisposable
{
    /// <summary>The most records one transaction writes.</summary>
    public const int MaxGroup = 100;

    /// <summary>How many groups are committed at the same time; a record's conflict is caught per group, so any two may overlap.</summary>
    private const int Writers = 2;

    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>();
    private readonly IWolverineRuntime _runtime;
    private readonly OutboxedSessionFactory _sessions;
    private readonly ILogger<AttemptRecorder> _logger;
    private readonly Task[] _writers;

    public AttemptRecorder(IWolverineRuntime runtime, OutboxedSessionFactory sessions, ILogger<AttemptRecorder> logger)
    {
        _runtime = runtime;
        _sessions = sessions;
        _logger = logger;
        _writers = [.. Enumerable.Range(0, Writers).Select(_ => Task.Run(WriteAsync))];
    }

    /// <summary>Records the attempt's outcome; returns once it is committed. Throws what the commit threw for this record.</summary>
    public Task RecordAsync(AttemptRecord record, CancellationToken ct)
    {
        var pending = new Pending(record, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_pending.Writer.TryWrite(pending)) throw new OperationCanceledException("The node is shutting down.");
        return pending.Done.Task.WaitAsync(ct);
    }

    private async Task WriteAsync()
    {
        var group = new List<Pending>(MaxGroup);
        while (await _pending.Reader.WaitToReadAsync())
        {
            while (group.Count < MaxGroup && _pending.Reader.TryRead(out var next)) group.Add(next);
            try
            {
                await CommitAsync(group);
            }
            catch (Exception e) when (group.Count > 1 && !IsDatabaseAway(e))
            {
                // One record's conflict (or a bad event) must not fail the others: each is written alone instead.
                LogGroupFailed(_logger, e, group.Count);
                foreach (var one in group)
                {
                    try { await CommitAsync([one]); }
                    catch (Exception alone) { one.Done.TrySetException(alone); }
                }
            }
            catch (Exception e)
            {
                // The database is away (or the one record failed): every handler retries its message by its error policy.
                foreach (var pending in group) pending.Done.TrySetException(e);
            }
            group.Clear();
        }
    }

    private async Task CommitAsync(List<Pending> group)
    {
        // A context of its own, enlisted in the session: the retries it schedules are written in the same transaction.
        var context = new MessageContext(_runtime);
        await using var session = _sessions.OpenSession(context);
        var reads = session.CreateBatchQuery();
        var fetches = group.Select(p => p.Record.Start is null ? reads.Events.FetchForWriting<Delivery>(p.Record.DeliveryId) : null).ToList();
        var started = group.Select(p => p.Record.Start is null ? null : reads.Events.FetchStreamState(p.Record.DeliveryId)).ToList();
        // The erasure may have passed between the handler's read and now; it cannot see a stream not yet written.
        var customers = group.Select(p => p.Record.Start?.CustomerId).OfType<Guid>().Distinct().ToArray();
        var erasures = customers.Length == 0 ? null : reads.LoadMany<ErasedCustomer>().ById(customers);
        await reads.Execute();
        var erased = erasures is null ? [] : (await erasures).ToDictionary(x => x.Id, x => x.ErasedAt);

        var written = new List<Pending>(group.Count);
        for (var i = 0; i < group.Count; i++)
        {
            var (record, done) = group[i];
            if (record.Start is { } start)
            {
                // Written by a twin of this first attempt (a replayed message): one record of the delivery is enough.
                if (await started[i]! is not null)
                {
                    done.TrySetResult();
                    continue;
                }
                if (start.CustomerId is { } customer && erased.TryGetValue(customer, out var erasedAt) && start.SourceOccurredAt < erasedAt)
                {
                    session.Events.StartStream<Delivery>(record.DeliveryId, Erased(start, record.Events));
                    written.Add(group[i]);
                    continue;
                }
                // Nothing to write yet (put back for a free slot): the next message still carries the plan.
                if (record.Events.Count > 0) session.Events.StartStream<Delivery>(record.DeliveryId, [start, .. record.Events]);
            }
            else
            {
                var stream = await fetches[i]!;
                // Someone appended since the handler read (a manual redelivery, a racing replay): its decision may be stale.
                if (stream.CurrentVersion != record.Version)
                {
                    done.TrySetException(new ConcurrencyException(
                        $"Delivery {record.DeliveryId} moved from version {record.Version} to {stream.CurrentVersion} during the attempt.",
                        typeof(Delivery), record.DeliveryId));
                    continue;
                }
                stream.AppendMany(record.Events);
            }
            if (record.Next is { } next) await context.ScheduleAsync(next, record.NextAt);
            if (record.Release is { } release && record.Ends) await context.PublishAsync(release);
            written.Add(group[i]);
        }
        if (written.Count == 0) return;
        await session.SaveChangesAsync();
        foreach (var pending in written) pending.Done.TrySetResult();
    }

    /// <summary>
    /// A first attempt whose customer's personal data was erased while it was under way: recorded without its content and
    /// ended, as the erasure ends a pending delivery, so nothing retries the erased request.
    /// </summary>
    private static object[] Erased(DeliveryScheduled start, IReadOnlyList<object> events)
    {
        var now = DateTimeOffset.UtcNow;
        var reason = ErasePersonalDataHandler.Reason;
        var attempted = events.OfType<DeliveryAttempted>().Select(DeliveryContent.Erase).ToList();
        object[] ended = events.Any(e => e is DeliveryFailed or DeliverySucceeded)
            ? [.. events.Where(e => e is DeliveryFailed or DeliverySucceeded)]
            : [new DeliveryFailed(now, attempted.Count, reason, start.WebhookId)];
        return [start with { Request = DeliveryContent.Erase(start.Request) }, .. attempted, .. ended, new DeliveryContentErased(now, reason)];
    }

    /// <summary>PostgreSQL unreachable or restarting: writing the records one by one would only fail as many times over.</summary>
    private static bool IsDatabaseAway(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException { IsTransient: true } or TimeoutException) return true;
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await Task.WhenAll(_writers);
    }

    private sealed record Pending(AttemptRecord Record, TaskCompletionSource Done);

    [LoggerMessage(LogLevel.Warning, "A group of {Count} attempt outcomes could not be written together; writing each alone")]
    private static partial void LogGroupFailed(ILogger logger, Exception exception, int count);
}

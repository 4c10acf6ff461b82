using System.Collections.Concurrent;
using System.Diagnostics;

namespace Ellity.Bench;

/// <summary>How a load phase went on the sending side.</summary>
/// <param name="Sent">Credit changes the API answered with success.</param>
/// <param name="Errors">Credit changes that failed (an error status or no answer).</param>
/// <param name="OfferedPerSecond">Requests started per second of the phase (after its ramp-up, if it has one).</param>
/// <param name="MaxLagMs">How far behind its schedule the latest-started request was (paced load only).</param>
/// <param name="ApiLatency">How long the API took to answer a credit change.</param>
public sealed record LoadResult(int Sent, int Errors, double Seconds, double OfferedPerSecond, double MaxLagMs, Latency ApiLatency);

/// <summary>Drives credit changes through the API: as fast as a fixed number of clients can, or at a fixed rate.</summary>
public static class Load
{
    /// <summary>Closed loop: <paramref name="count"/> changes, <paramref name="concurrency"/> in flight, each customer in turn.</summary>
    public static async Task<LoadResult> ClosedAsync(EllityApi api, Guid[] customers, int count, int concurrency)
    {
        var timings = new ConcurrentBag<double>();
        var errors = 0;
        var clock = Stopwatch.StartNew();
        // Customer n % customers.Length: with more customers than clients, no two changes of one customer race.
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (n, _) =>
        {
            if (!await ChangeAsync(api, customers, n, timings)) Interlocked.Increment(ref errors);
        });
        var seconds = clock.Elapsed.TotalSeconds;
        return new LoadResult(count - errors, errors, Math.Round(seconds, 2), Math.Round(count / seconds, 1), 0, Latency.Of(timings));
    }

    /// <summary>
    /// Open loop at <paramref name="perSecond"/> for <paramref name="duration"/>: each change starts at its
    /// scheduled time whatever the earlier ones are doing, up to <paramref name="maxInFlight"/> unanswered
    /// (past that the load can no longer be offered: <see cref="LoadResult.MaxLagMs"/> shows it, and the
    /// changes not started when the time is up are not sent at all).
    /// <paramref name="tick"/> is called about twice a second with the time since the start. With a
    /// <paramref name="rampUp"/>, the rate first climbs linearly from 0 to <paramref name="perSecond"/> over
    /// that time, which is part of <paramref name="duration"/>.
    /// </summary>
    public static async Task<LoadResult> PacedAsync(EllityApi api, Guid[] customers, double perSecond, TimeSpan duration,
        int maxInFlight, Action<TimeSpan>? tick = null, TimeSpan rampUp = default)
    {
        var timings = new ConcurrentBag<double>();
        var errors = 0;
        var slots = new SemaphoreSlim(maxInFlight);
        var inFlight = new List<Task>();
        var ramp = rampUp.TotalSeconds;
        var rampChanges = perSecond * ramp / 2;
        var total = (int)(rampChanges + perSecond * (duration.TotalSeconds - ramp));
        var maxLag = TimeSpan.Zero;
        var nextTick = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        var started = 0;
        for (var n = 0; n < total; n++)
        {
            // Change n is due when the rate's integral reaches n: t^2 * perSecond / (2 * ramp) during the ramp.
            var due = TimeSpan.FromSeconds(n < rampChanges ? Math.Sqrt(2 * ramp * n / perSecond) : ramp + (n - rampChanges) / perSecond);
            if (due - clock.Elapsed is { Ticks: > 0 } wait) await Task.Delay(wait);
            var left = duration - clock.Elapsed;
            if (left <= TimeSpan.Zero || !await slots.WaitAsync(left)) break;
            started++;
            var lag = clock.Elapsed - due;
            if (lag > maxLag) maxLag = lag;
            if (tick is not null && clock.Elapsed >= nextTick)
            {
                tick(clock.Elapsed);
                nextTick += TimeSpan.FromSeconds(0.5);
            }
            var number = n;
            inFlight.Add(Task.Run(async () =>
            {
                try
                {
                    if (!await ChangeAsync(api, customers, number, timings)) Interlocked.Increment(ref errors);
                }
                finally { slots.Release(); }
            }));
        }
        var offeredSeconds = clock.Elapsed.TotalSeconds;
        var atFullRate = started - Math.Min(started, (int)Math.Ceiling(rampChanges));
        await Task.WhenAll(inFlight);
        return new LoadResult(started - errors, errors, Math.Round(offeredSeconds, 2), Math.Round(atFullRate / Math.Max(0.001, offeredSeconds - ramp), 1),
            Math.Round(maxLag.TotalMilliseconds, 1), Latency.Of(timings));
    }

    private static async Task<bool> ChangeAsync(EllityApi api, Guid[] customers, int n, ConcurrentBag<double> timings)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await api.ChangeCreditAsync(customers[n % customers.Length], n);
            timings.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"  credit change {n} failed: {e.Message}");
            return false;
        }
    }
}

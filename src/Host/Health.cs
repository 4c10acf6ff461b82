using System.Text.Json;
using Ellity.Customers.Publishing;
using Ellity.Webhooks.Delivering;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ellity.Host;

/// <summary>
/// <c>/health/live</c>: the process answers. <c>/health/ready</c>: PostgreSQL answers and the
/// subscription that turns customer events into deliveries is keeping up (some node is moving it
/// forward whenever it is behind).
/// </summary>
public static class Health
{
    public static IServiceCollection AddEllityHealth(this IServiceCollection services)
    {
        services.AddSingleton<SubscriptionHealthCheck>();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("postgresql", tags: ["ready"])
            .AddCheck<SubscriptionHealthCheck>("subscriptions", tags: ["ready"])
            .AddCheck<DeliveriesHealthCheck>("deliveries", tags: ["ready"]);
        return services;
    }

    public static void MapEllityHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteJson }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteJson })
            .AllowAnonymous();
    }

    private static Task WriteJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data,
            }),
        }, JsonSerializerOptions.Web));
    }
}

/// <summary>The answer is public: why the database is away (host, port, user) goes to the log only.</summary>
public sealed partial class DatabaseHealthCheck(IDocumentStore store, ILogger<DatabaseHealthCheck> logger) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var session = store.QuerySession();
            await session.QueryAsync<int>("select 1", ct);
            return HealthCheckResult.Healthy("PostgreSQL answers.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogUnreachable(logger, e);
            return HealthCheckResult.Unhealthy("PostgreSQL does not answer.");
        }
    }

    [LoggerMessage(LogLevel.Warning, "The readiness check could not reach PostgreSQL")]
    private static partial void LogUnreachable(ILogger logger, Exception exception);
}

/// <summary>
/// Unhealthy when the integration-event subscription is behind the event store and has not moved
/// for <see cref="StallAfter"/>: then no node is dispatching and committed events wait.
/// </summary>
public sealed partial class SubscriptionHealthCheck(IDocumentStore store, ILogger<SubscriptionHealthCheck> logger) : IHealthCheck
{
    public static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(60);

    private long _lastSequence = -1;
    private DateTimeOffset _lastMovedAt = DateTimeOffset.MinValue;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        IReadOnlyList<ShardState> progress;
        try
        {
            progress = await store.Advanced.AllProjectionProgress(token: ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogUnreadable(logger, e);
            return HealthCheckResult.Unhealthy("The subscription's progress could not be read.");
        }
        var highWater = progress.FirstOrDefault(s => s.ShardName == ShardState.HighWaterMark)?.Sequence ?? 0;
        var sequence = progress.FirstOrDefault(s => s.ShardName.StartsWith(PublishCustomerEvents.Name))?.Sequence ?? 0;
        var lag = Math.Max(0, highWater - sequence);
        var now = DateTimeOffset.UtcNow;
        lock (this)
        {
            if (sequence != _lastSequence) (_lastSequence, _lastMovedAt) = (sequence, now);
        }
        var data = new Dictionary<string, object> { ["highWaterMark"] = highWater, ["sequence"] = sequence, ["lag"] = lag };
        return lag > 0 && now - _lastMovedAt > StallAfter
            ? HealthCheckResult.Unhealthy($"{PublishCustomerEvents.Name} is {lag} events behind and has not moved for {StallAfter.TotalSeconds:0} s.", data: data)
            : HealthCheckResult.Healthy($"{PublishCustomerEvents.Name} is {lag} events behind.", data);
    }

    [LoggerMessage(LogLevel.Warning, "The readiness check could not read the subscriptions' progress")]
    private static partial void LogUnreadable(ILogger logger, Exception exception);
}

/// <summary>
/// Degraded (still ready) while some pending delivery is overdue (<see cref="DeliveryTelemetry.OverdueAfter"/> past its
/// next attempt's time): a delivery nothing is working on shows here, and in the <c>ellity_webhooks_overdue</c> gauge.
/// </summary>
public sealed class DeliveriesHealthCheck(DeliveryTelemetry telemetry) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var (due, scheduled, overdue) = telemetry.LastBacklog;
        var data = new Dictionary<string, object> { ["due"] = due, ["scheduled"] = scheduled, ["overdue"] = overdue };
        return Task.FromResult(overdue > 0
            ? HealthCheckResult.Degraded($"{overdue} pending deliveries are overdue by more than {DeliveryTelemetry.OverdueAfter.TotalMinutes:0} minutes.", data: data)
            : HealthCheckResult.Healthy("No pending delivery is overdue.", data));
    }
}

using System.Text.Json.Nodes;

namespace Ellity.Tests.Infrastructure;

/// <summary>A webhook as the API answers it, read by the names of its JSON contract (see <see cref="ApiJson"/>).</summary>
public sealed record WebhookView(Guid Id, string Name, string Trigger, string Url, string? Body, string Method, bool Enabled,
    string? DisabledReason, IReadOnlyDictionary<string, string> Headers, HealthView Health, IReadOnlyList<WarningView> Warnings,
    AutoDisabledView? AutoDisabled = null);

/// <summary>Why and when the system switched the webhook off, for a page to say in its own language.</summary>
public sealed record AutoDisabledView(string Cause, DateTimeOffset At, DateTimeOffset? FailingSince);

/// <summary>Whether the webhook's receiver works, as the webhook shows it.</summary>
public sealed record HealthView(bool Failing, DateTimeOffset? FailingSince, int ConsecutiveFailures, string? LastError,
    DateTimeOffset? LastAttemptAt, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastFailureAt,
    string? LastFailureKind = null, ExplanationView? Explanation = null, DateTimeOffset? ProblemSince = null, DateTimeOffset? DisablesAt = null);

/// <summary>A variable the webhook's trigger does not carry, in the field that names it.</summary>
public sealed record WarningView(string Field, string Variable);

/// <summary>The answer to creating a webhook: the webhook, and its signing secret, shown this once.</summary>
public sealed record CreatedWebhookView(Guid Id, string Secret);

/// <summary>A webhook's signing secret, and until when the one it replaced still signs (null: none does).</summary>
public sealed record SecretView(string Secret, DateTimeOffset? PreviousSecretExpiresAt);

/// <summary>A webhook's delivery figures over the last day and week.</summary>
public sealed record WebhookStatisticsView(DeliveryStatisticsView Last24Hours, DeliveryStatisticsView Last7Days,
    DateTimeOffset? LastSuccessAt, DateTimeOffset? LastFailureAt);

public sealed record DeliveryStatisticsView(int Deliveries, int Succeeded, int Failed, double? SuccessRate, int Attempts,
    long? P95ResponseMs);

/// <summary>What a webhook gets unless it sets its own.</summary>
public sealed record WebhookDefaultsView(IReadOnlyList<int> RetrySchedule, double AttemptTimeoutSeconds, int MaxConcurrentPerWebhook,
    double ContentRetentionDays);

public sealed record TriggerView(string Name, IReadOnlyList<VariableView> Variables);

public sealed record VariableView(string Name, string Type, string Description, string Sample);

/// <summary>The request a webhook would send, rendered with sample data.</summary>
public sealed record PreviewView(string Method, string Url, IReadOnlyDictionary<string, string> Headers, string? Body,
    IReadOnlyList<WarningView> Warnings);

/// <summary>One change in a webhook's history; its data holds what the change carries, and only that.</summary>
public sealed record WebhookChangeView(int Version, DateTimeOffset At, string Change, string Actor, WebhookChangeData Data);

public sealed record WebhookChangeData(string? Name = null, string? Url = null, string? Reason = null);

/// <summary>The answer to "send test": the delivery it made.</summary>
public sealed record TestDeliveryView(Guid DeliveryId);

public static class WebhookAssertions
{
    public static WebhookView AsWebhook(this JsonNode node) => node.ReadAs<WebhookView>();

    public static IReadOnlyList<WebhookView> AsWebhooks(this JsonNode node) => node.ReadAs<List<WebhookView>>();

    public static CreatedWebhookView AsCreatedWebhook(this JsonNode node) => node.ReadAs<CreatedWebhookView>();

    public static IReadOnlyList<WebhookChangeView> AsHistory(this JsonNode node) => node.ReadAs<List<WebhookChangeView>>();

    public static SecretView AsSecret(this JsonNode node) => node.ReadAs<SecretView>();

    public static WebhookStatisticsView AsStatistics(this JsonNode node) => node.ReadAs<WebhookStatisticsView>();

    /// <summary>The webhook's only warning is about <paramref name="variable"/>.</summary>
    public static WarningView ShouldWarnOnlyAbout(this IReadOnlyList<WarningView> warnings, string variable)
    {
        var warning = Assert.Single(warnings);
        Assert.Equal(variable, warning.Variable);
        return warning;
    }
}

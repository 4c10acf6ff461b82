using Ellity.Tests.Infrastructure;

namespace Ellity.Tests.Infrastructure;

/// <summary>A Host with short timeouts and thresholds, so fault behaviour shows within seconds.</summary>
public sealed class FaultsFixture : AppFixture
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Webhooks:AttemptTimeout"] = "00:00:02",
        ["Webhooks:RetryJitter"] = "0",
        ["Webhooks:AutoDisableAfter"] = "00:00:04",
        ["Notifications:WarnBeforeDisable"] = "00:00:02",
        ["Webhooks:FailingCheckInterval"] = "00:00:01",
        ["Webhooks:MaxConcurrentPerWebhook"] = "2",
        ["Webhooks:CircuitBreaker:MinimumThroughput"] = "5",
        ["Webhooks:CircuitBreaker:BreakDuration"] = "00:00:05",
        ["Webhooks:AllowedNetworks:0"] = "127.0.0.0/8",
        ["Access:OperatorKey"] = OperatorKey,
    };
}

[CollectionDefinition(Name)]
public sealed class FaultsCollection : ICollectionFixture<FaultsFixture>
{
    public const string Name = "faults";
}

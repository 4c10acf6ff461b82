using Ellity.Webhooks;
using Ellity.Webhooks.Delivering;
using Ellity.Webhooks.Dispatching;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ellity.Tests.Infrastructure;

/// <summary>The Webhooks module's services as the Host registers them, with no Host and no database: the real sender, client and guard.</summary>
public static class DeliveryServices
{
    public static ServiceProvider Build(IReadOnlyDictionary<string, string?>? settings = null, LogCapture? logs = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        return new ServiceCollection()
            .AddLogging(logging =>
            {
                if (logs is not null) logging.AddProvider(logs);
            })
            .AddWebhooksModule(configuration)
            .BuildServiceProvider();
    }

    /// <summary>One unsigned GET attempt to <paramref name="url"/> through the real sender.</summary>
    public static Task<DeliveryAttempted> GetAsync(this ServiceProvider services, string url) =>
        services.GetRequiredService<WebhookSender>().SendAsync(
            new DeliveryRequest("GET", url, new Dictionary<string, string> { ["webhook-id"] = "d1" }, null),
            1, [], new Dictionary<string, string>(), "shop-test", CancellationToken.None);
}

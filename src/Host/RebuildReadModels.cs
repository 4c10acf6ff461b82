using System.Diagnostics;
using Ellity.Customers;
using Ellity.Eshops;
using Ellity.Webhooks;
using JasperFx.CommandLine;
using Marten;

[assembly: JasperFx.JasperFxAssembly]

namespace Ellity.Host;

/// <summary>
/// <c>dotnet Ellity.Host.dll rebuild-read-models</c>: every read model (webhooks, deliveries,
/// health, statistics, customers, e-shops) thrown away and rebuilt from the event streams, one
/// after another, with progress. Marten's own <c>projections rebuild</c> would also replay the
/// integration-event subscription and publish every customer event again; this does not.
/// Run it with the service stopped.
/// </summary>
[Description("Rebuild every read model from the event streams (not the integration-event subscription)", Name = "rebuild-read-models")]
public sealed class RebuildReadModelsCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public static IReadOnlyList<string> ReadModels =>
        [.. EshopsModule.ReadModels, .. CustomersModule.ReadModels, .. WebhooksModule.ReadModels];

    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        using var daemon = await store.BuildProjectionDaemonAsync();
        var total = Stopwatch.StartNew();
        for (var n = 0; n < ReadModels.Count; n++)
        {
            var name = ReadModels[n];
            Console.WriteLine($"[{n + 1}/{ReadModels.Count}] rebuilding {name}...");
            var watch = Stopwatch.StartNew();
            await daemon.RebuildProjectionAsync(name, TimeSpan.FromMinutes(30), CancellationToken.None);
            Console.WriteLine($"[{n + 1}/{ReadModels.Count}] {name} rebuilt in {watch.Elapsed.TotalSeconds:0.0} s");
        }
        Console.WriteLine($"All {ReadModels.Count} read models rebuilt in {total.Elapsed.TotalSeconds:0.0} s");
        return true;
    }
}

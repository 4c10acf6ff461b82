using Wolverine.Runtime.Handlers;

namespace Ellity.Host;

/// <summary>
/// In Development Wolverine generates and compiles each message handler the first time a message of
/// its type arrives, which takes seconds on a busy machine. Compiling them all right after start, in
/// the background, keeps that delay away from the first deliveries. Elsewhere the handlers are
/// pre-generated (Internal/Generated) and this service is not registered.
/// </summary>
internal sealed class HandlerWarmUp(HandlerGraph handlers, IHostApplicationLifetime lifetime, ILogger<HandlerWarmUp> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        await using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.Run(() =>
        {
            foreach (var chain in handlers.Chains)
            {
                if (stoppingToken.IsCancellationRequested) return;
                try
                {
                    if (chain.ByEndpoint.Count == 0)
                    {
                        handlers.HandlerFor(chain.MessageType);
                        continue;
                    }
                    foreach (var endpoint in chain.ByEndpoint.SelectMany(sticky => sticky.Endpoints))
                        handlers.HandlerFor(chain.MessageType, endpoint);
                }
                catch (Exception e)
                {
                    // Only a head start: the handler is built again, and any error shown, when its first message comes.
                    logger.LogDebug(e, "Could not prepare the handler of {MessageType} ahead of time", chain.MessageType);
                }
            }
        }, stoppingToken);
        logger.LogInformation("Prepared {Count} message handlers in {Elapsed} ms", handlers.Chains.Length, clock.ElapsedMilliseconds);
    }
}

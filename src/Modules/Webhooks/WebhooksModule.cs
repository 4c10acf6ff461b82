using System.Net;
using Ellity.Customers.Contracts;
using Ellity.Webhooks.Auditing;
using Ellity.Webhooks.Delivering;
using Ellity.Webhooks.Dispatching;
using Ellity.Webhooks.Erasing;
using Ellity.Webhooks.Triggers;
using JasperFx.Events.Projections;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wolverine.ErrorHandling;
using Wolverine.Postgresql;
using JasperFx.Core;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Ellity.Webhooks;

public static class WebhooksModule
{
    public const string Schema = "webhooks";
    public const string DispatchQueue = "webhook-dispatch";
    public const string DeliveryQueue = "webhook-deliveries";

    /// <summary>The projections behind this module's read models, which the Host's rebuild-read-models command rebuilds.</summary>
    public static readonly string[] ReadModels = ["Webhook", "Delivery", "WebhookHealth", "WebhookHourStatistics", "AlertSettings", "ResyncJob"];

    public static void ConfigureMarten(StoreOptions options)
    {
        options.Projections.Snapshot<Webhook>(SnapshotLifecycle.Inline);
        options.Schema.For<Webhook>().DatabaseSchemaName(Schema).Index(x => x.EshopId);
        options.Projections.Snapshot<Delivery>(SnapshotLifecycle.Inline);
        // The delivery logs page newest first within an e-shop or a webhook: one index each, in that order, so a
        // page is an index range scan however many deliveries the rest of the table holds. The customer's for
        // erasure, completion for retention, status for the backlog.
        options.Schema.For<Delivery>().DatabaseSchemaName(Schema)
            .Index(x => new { x.EshopId, x.ScheduledAt }).Index(x => new { x.WebhookId, x.ScheduledAt })
            .Index(x => x.CustomerId).Index(x => x.CompletedAt).Index(x => x.Status);
        options.Schema.For<ErasedCustomer>().DatabaseSchemaName(Schema);
        options.Projections.Snapshot<ResyncJob>(SnapshotLifecycle.Inline);
        options.Schema.For<ResyncJob>().DatabaseSchemaName(Schema).Index(x => new { x.WebhookId, x.StartedAt });
        options.Projections.Snapshot<AlertSettings>(SnapshotLifecycle.Inline);
        options.Schema.For<AlertSettings>().DatabaseSchemaName(Schema);
        DeliveryContent.ConfigureMasking(options);
        options.Projections.Add<WebhookHealthProjection>(ProjectionLifecycle.Async);
        options.Schema.For<WebhookHealth>().DatabaseSchemaName(Schema);
        options.Projections.Add<WebhookHourStatisticsProjection>(ProjectionLifecycle.Async);
        options.Schema.For<WebhookHourStatistics>().DatabaseSchemaName(Schema);
        options.Schema.For<WebhookHourSkips>().DatabaseSchemaName(Schema).UseOptimisticConcurrency(true);
        options.Storage.ExtendedSchemaObjects.Add(DeliveryPacing.Schema());

        options.Events.AddEventTypes([
            typeof(WebhookCreated), typeof(WebhookRenamed), typeof(WebhookTriggerChanged), typeof(WebhookUrlChanged),
            typeof(WebhookBodyChanged), typeof(WebhookConditionsChanged), typeof(WebhookRateLimitChanged), typeof(WebhookOrderingChanged), typeof(WebhookSuspended), typeof(WebhookResumed), typeof(DeliveryHeld), typeof(DeliveryReleased), typeof(WebhookRetryScheduleChanged), typeof(WebhookEnabled), typeof(WebhookDisabled),
            typeof(WebhookDeleted), typeof(WebhookAutoDisabled), typeof(WebhookSecretRotated), typeof(WebhookHeadersChanged),
            typeof(DeliveryScheduled), typeof(DeliveryAttempted), typeof(DeliveryRetryScheduled),
            typeof(DeliveryRedeliveryRequested), typeof(DeliverySucceeded), typeof(DeliveryFailed), typeof(DeliveryContentErased),
            typeof(DeliveryAttemptDeferred), typeof(WebhookRecoveryStarted), typeof(WebhookRecoveryFinished),
            typeof(WebhookAlerted), typeof(AlertSettingsChanged), typeof(AlertWebhookSecretRotated),
            typeof(ResyncStarted), typeof(ResyncPageSent), typeof(ResyncCompleted), typeof(ResyncCancelled),
            typeof(WebhookResyncStarted), typeof(WebhookResyncEnded),
        ]);
    }

    public static void ConfigureWolverine(WolverineOptions options, IConfiguration configuration)
    {
        var settings = configuration.GetSection(WebhooksOptions.Section).Get<WebhooksOptions>() ?? new WebhooksOptions();

        // Erasures, and events that could not be dispatched with their page (see CustomerEventDispatcher).
        options.Publish(x =>
        {
            x.MessagesImplementing<ICustomerIntegrationEvent>();
            x.ToLocalQueue(DispatchQueue).UseDurableInbox();
        });
        if (settings.SharedDeliveryQueue)
        {
            // Every node competes for attempts, so sending spreads over the nodes and a dead node's share is taken over.
            options.PublishMessage<AttemptDelivery>().ToPostgresqlQueue(DeliveryQueue);
            options.ListenToPostgresqlQueue(DeliveryQueue).MaximumParallelMessages(settings.MaxParallelDeliveries)
                .PollingInterval(TimeSpan.FromMilliseconds(200));
        }
        else
        {
            options.PublishMessage<AttemptDelivery>().ToLocalQueue(DeliveryQueue)
                .UseDurableInbox().MaximumParallelMessages(settings.MaxParallelDeliveries);
        }

        // In-order delivery decides one message at a time, in the order they were sent (OrderedDeliveriesHandler).
        options.LocalQueue(OrderedDeliveriesHandler.Queue).Sequential().UseDurableInbox();
        options.PublishMessage<StartOrderedDeliveries>().ToLocalQueue(OrderedDeliveriesHandler.Queue);
        options.PublishMessage<ReleaseOrderedDelivery>().ToLocalQueue(OrderedDeliveriesHandler.Queue);

        // A dead-lettered attempt ends its delivery (DeadLetteredAttemptHandler), a dead-lettered recovery ends the recovery:
        // a dead-lettered resync page ends the resync: nothing stays pending for ever.
        options.Policies.ForMessagesOfType<AttemptDelivery>().PublishFault(includeStackTrace: false);
        options.Policies.ForMessagesOfType<RecoverWebhook>().PublishFault(includeStackTrace: false);
        options.Policies.ForMessagesOfType<Resyncing.SendResyncPage>().PublishFault(includeStackTrace: false);

        // An alert that cannot reach its channel now (SMTP down, the operational webhook failing) is tried again for a few hours.
        options.OnException<Alerting.AlertNotSentException>().RetryWithCooldown(1.Seconds(), 5.Seconds())
            .Then.ScheduleRetry(1.Minutes(), 5.Minutes(), 30.Minutes(), 2.Hours());

        // Two handlers racing on one stream: the loser retries, sees the work done and stops.
        options.OnException<JasperFx.ConcurrencyException>().RetryWithCooldown(50.Milliseconds(), 200.Milliseconds(), 1.Seconds());
        options.OnException<JasperFx.Events.ExistingStreamIdCollisionException>()
            .Or<Marten.Exceptions.ExistingStreamIdCollisionException>()
            .Or<JasperFx.DocumentAlreadyExistsException>().RetryWithCooldown(50.Milliseconds(), 200.Milliseconds());
    }

    public static IServiceCollection AddWebhooksModule(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(WebhooksOptions.Section);
        services.Configure<WebhooksOptions>(section);
        // Checked at start: a mistyped SMTP security mode or sender would otherwise fail every alert e-mail, unseen.
        services.AddOptions<NotificationsOptions>().Bind(configuration.GetSection(NotificationsOptions.Section))
            .Validate(o => o.Smtp.IsValid(), "Notifications:Smtp:Security must be Auto, None, StartTls or SslOnConnect, and Notifications:Smtp:From an e-mail address.")
            .ValidateOnStart();
        var settings = section.Get<WebhooksOptions>() ?? new WebhooksOptions();
        services.AddRateLimiter(limiter => WebhookRateLimits.AddPolicies(limiter, settings.RateLimits));
        foreach (var trigger in TriggerCatalog.BuiltIn) services.AddWebhookTrigger(trigger);
        services.AddSingleton<TriggerCatalog>();
        services.AddSingleton<AutoDisablePolicy>();
        services.AddSingleton<ICustomerEventSubscriber, CustomerEventDispatcher>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<AttemptRecorder>();
        services.AddSingleton<WebhookConcurrency>();
        services.AddSingleton<DeliveryPacing>();
        services.AddSingleton<WebhookHeaders>();
        services.AddSingleton<WebhookSecretProtector>();
        services.AddHostedService<DeliveryRetention>();
        services.AddSingleton<DeliveryTelemetry>();
        services.AddHostedService<DeliveryBacklogSampler>();
        services.AddHostedService<OrderedDeliverySweeper>();
        services.AddHostedService<FailingWebhookSweeper>();
        // Read now, so that a bad network or proxy stops the start rather than the first delivery.
        var allowed = settings.AllowedNetworks.Select(IPNetwork.Parse).ToList();
        var proxy = DeliveryHttpHandler.ProxyAddress(settings);
        services.AddSingleton(sp => new DestinationGuard(allowed, proxy, sp.GetRequiredService<ILogger<DestinationGuard>>()));
        var client = services.AddHttpClient(WebhookSender.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => DeliveryHttpHandler.Create(sp.GetRequiredService<DestinationGuard>()));
        if (settings.CircuitBreaker.Enabled)
        {
            var breaker = settings.CircuitBreaker;
            client.AddResilienceHandler("destination-circuit-breaker", pipeline => pipeline.AddCircuitBreaker(
                    new HttpCircuitBreakerStrategyOptions
                    {
                        FailureRatio = breaker.FailureRatio,
                        MinimumThroughput = breaker.MinimumThroughput,
                        SamplingDuration = breaker.SamplingDuration,
                        BreakDuration = breaker.BreakDuration,
                    }))
                // One breaker per e-shop and destination (scheme, host, port): a dead receiver pauses only the shop
                // calling it, and one shop's failures cannot pause another shop's deliveries to the same host.
                .SelectPipelineBy(_ => request =>
                    (request.Options.TryGetValue(WebhookSender.EshopOption, out var eshop) ? eshop : "")
                    + " " + request.RequestUri!.GetLeftPart(UriPartial.Authority));
        }
        return services;
    }

    /// <summary>Adds a trigger to the catalog after the built-in ones (see <see cref="TriggerCatalog"/>).</summary>
    public static IServiceCollection AddWebhookTrigger(this IServiceCollection services, Trigger trigger) =>
        services.AddSingleton(trigger);
}

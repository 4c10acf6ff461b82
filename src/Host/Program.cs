using System.Text.Json.Serialization;
using Ellity.Admin;
using Ellity.Customers;
using Ellity.Eshops;
using Ellity.Host;
using Ellity.Webhooks;
using JasperFx;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using JasperFx.CodeGeneration;
using JasperFx.Core;
using JasperFx.Resources;
using JasperFx.Events.Daemon;
using Marten;
using Weasel.Core;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Http;
using Wolverine.Marten;

var builder = WebApplication.CreateBuilder(args);

var connectionString = Defaults.Tuned(builder.Configuration.GetConnectionString("Ellity") ?? Defaults.ConnectionString);

builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = RequestLimits.MaxRequestBytes);

builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = JsonProblems.NameTheField);
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.Services.AddOpenApi(OpenApiDocumentation.Describe);
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
    // A number sent as a string ("5") is a wrong type, refused like any other.
    o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
});

builder.Services.AddMarten(options =>
    {
        options.Connection(connectionString);
        options.DatabaseSchemaName = "ellity";
        options.Events.DatabaseSchemaName = "events";
        options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
        options.Events.UseMandatoryStreamTypeDeclaration = true;
        // Who made each change (the API key's identity, relayed by Wolverine): the audit trail's "who".
        options.Events.MetadataConfig.UserNameEnabled = true;
        // The async daemon looks for new events every 50 ms while they flow (default 250 ms), so a customer
        // event reaches dispatch quickly. It waits the slow time whenever it has caught up or sits behind an
        // uncommitted sequence number, both of which happen all the time under steady load: the default
        // 1 s made the median event-to-receipt latency at 250 events/s about 800 ms; at 100 ms it is about
        // 150 ms, for ten cheap polls a second when idle. LISTEN/NOTIFY wakeups were tried: they serialize
        // the commits of every appending transaction and made sustained load far slower.
        options.Projections.FastPollingTime = TimeSpan.FromMilliseconds(50);
        options.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(100);
        options.Schema.For<DataProtectionKey>().DatabaseSchemaName("ellity");
        EshopsModule.ConfigureMarten(options);
        CustomersModule.ConfigureMarten(options);
        WebhooksModule.ConfigureMarten(options);
    })
    .IntegrateWithWolverine(w => w.MessageStorageSchemaName = "wolverine")
    .AddAsyncDaemon(DaemonMode.HotCold)
    .UseLightweightSessions();

// Encrypts webhook signing secrets and custom header values at rest; the key ring lives in PostgreSQL,
// encrypted with a certificate when one is configured.
var dataProtection = builder.Services.AddDataProtection().SetApplicationName("Ellity.Webhooks");
if (KeyRingCertificate.From(builder.Configuration) is { } keyRingCertificate)
    dataProtection.ProtectKeysWithCertificate(keyRingCertificate);
builder.Services.AddOptions<KeyManagementOptions>()
    .Configure<IDocumentStore>((keys, store) => keys.XmlRepository = new MartenXmlRepository(store));

builder.Services.AddEshopsModule();
builder.Services.AddCustomersModule();
builder.Services.AddWebhooksModule(builder.Configuration);
builder.Services.AddWolverineHttp();
builder.Services.AddRateLimitProblems();
builder.Services.AddEllityTelemetry(builder.Configuration);
builder.Services.AddEllityHealth();
builder.Services.AddHostedService<EventStoreStatistics>();
// Only Development compiles handlers at run time (see TypeLoadMode below); elsewhere they are pre-built.
if (builder.Environment.IsDevelopment()) builder.Services.AddHostedService<HandlerWarmUp>();
builder.Services.AddResourceSetupOnStartup();

builder.Host.UseWolverine(options =>
{
    options.Discovery.IncludeAssembly(typeof(EshopsModule).Assembly);
    options.Discovery.IncludeAssembly(typeof(CustomersModule).Assembly);
    options.Discovery.IncludeAssembly(typeof(WebhooksModule).Assembly);
    options.UseRuntimeCompilation();
    // Handler and endpoint adapters are generated ahead of time into Internal/Generated (scripts/codegen.sh;
    // a test checks they are current): outside Development the Host never starts Roslyn, which cost
    // seconds of CPU, 170 MiB and over a second on each endpoint's first request. Development generates
    // them at run time, as handlers change.
    options.CodeGeneration.TypeLoadMode = builder.Environment.IsDevelopment() ? TypeLoadMode.Dynamic : TypeLoadMode.Static;
    options.Policies.AutoApplyTransactions();
    options.Policies.UseDurableLocalQueues();
    options.MultipleHandlerBehavior = MultipleHandlerBehavior.Separated;
    options.EnableRelayOfUserName = true;
    // One node by default: it owns every persisted message at start, so work left by a killed
    // process resumes at once. Several nodes sharing a database need Balanced (leader election).
    options.Durability.Mode = builder.Configuration.GetValue("Durability:Mode", DurabilityMode.Solo);
    options.Durability.MessageIdentity = MessageIdentity.IdAndDestination;
    // Retries and put-back attempts are scheduled messages: the defaults (100 every 5 s) would let a
    // backlog of due retries drain at only 20/s and make every short delay seconds late.
    options.Durability.ScheduledJobPollingTime = 1.Seconds();
    options.Durability.RecoveryBatchSize = 1000;
    // Wolverine's inbox and outbox gauges count the envelope tables by status, a scan of tens of thousands of
    // recently handled rows under load (2 % of PostgreSQL's statement time at every 5 s, the default). Our own
    // backlog gauge says what waits; these need not be fresher than half a minute.
    options.Durability.UpdateMetricsPeriod = 30.Seconds();
    // The database going away is waited out, not dead-lettered: Marten wraps driver errors, so the
    // whole exception chain is looked at. Retries back off from a second to half an hour.
    options.OnException(StorageFailures.IsTransient)
        .RetryWithCooldown(250.Milliseconds(), 1.Seconds(), 2.Seconds(), 5.Seconds())
        .Then.ScheduleRetry(10.Seconds(), 30.Seconds(), 1.Minutes(), 2.Minutes(), 5.Minutes(), 10.Minutes(), 30.Minutes());
    WebhooksModule.ConfigureWolverine(options, builder.Configuration);
});

builder.Logging.AddFilter("Marten", LogLevel.Warning);
builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestLanguage();
app.UseRequestLimits();
app.UseDeliveryLoopGuard();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.MapOpenApi().AllowAnonymous();
app.MapEllityHealth();
// Aggregate figures of every shop: the operator's.
app.MapPrometheusScrapingEndpoint().RequireAuthorization(EshopPolicies.Operator);
app.MapGet("/", () => Results.Redirect("/openapi/v1.json")).ExcludeFromDescription().AllowAnonymous();
app.MapWolverineEndpoints(options =>
{
    options.RejectUnparseableQueryValues = true;
    EshopPolicies.RequireForEshopRoutes(options);
    EventTrace.Apply(options);
    WebhooksFeature.Apply(options);
});
app.MapAdmin();

return await app.RunJasperFxCommands(args);

public partial class Program;

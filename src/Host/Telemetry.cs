using Ellity.Webhooks.Delivering;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ellity.Host;

/// <summary>
/// OpenTelemetry: our delivery meter and activity source, Wolverine's and ASP.NET Core's, the
/// outgoing HTTP client, and the runtime. Metrics are scraped at <c>/metrics</c> (Prometheus
/// text); traces and metrics also go to an OTLP collector when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// is set.
/// </summary>
public static class Telemetry
{
    private static readonly string[] HttpClientLabels =
        ["http.request.method", "http.response.status_code", "http.connection.state", "error.type", "network.protocol.version", "url.scheme"];

    public static IServiceCollection AddEllityTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("ellity-webhooks"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(DeliveryTelemetry.Name, "Wolverine:*")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    // The HTTP client's and DNS's instruments label every series with the receiver's host name and
                    // port: shops' data, and a new series for every host a shop types in. Only the protocol's labels stay.
                    .AddView("http.client.*", new MetricStreamConfiguration { TagKeys = HttpClientLabels })
                    .AddView("dns.lookup.duration", new MetricStreamConfiguration { TagKeys = ["error.type"] })
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter();
                if (otlp) metrics.AddOtlpExporter();
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(DeliveryTelemetry.Name, "Wolverine")
                    .AddAspNetCoreInstrumentation(o => o.Filter = c => !c.Request.Path.StartsWithSegments("/health")
                        && !c.Request.Path.StartsWithSegments("/metrics"))
                    .AddHttpClientInstrumentation();
                if (otlp) tracing.AddOtlpExporter();
            });
        return services;
    }
}

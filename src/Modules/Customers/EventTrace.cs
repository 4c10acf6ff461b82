using System.Diagnostics;
using Ellity.Customers.Publishing;

namespace Ellity.Customers;

/// <summary>
/// Middleware on every Customers endpoint that writes: the request's trace context goes into the headers of the events it
/// appends, so the publishing subscription continues the trace (see <see cref="PublishCustomerEvents.TraceHeader"/>).
/// </summary>
public static class EventTrace
{
    public static void Before(IDocumentSession session)
    {
        if (Activity.Current?.Id is { } traceparent) session.SetHeader(PublishCustomerEvents.TraceHeader, traceparent);
    }

    public static void Apply(WolverineHttpOptions options) => options.AddMiddleware(typeof(EventTrace), chain =>
        chain.Method.HandlerType.Assembly == typeof(EventTrace).Assembly && chain.HttpMethods.Any(m => m != "GET"));
}

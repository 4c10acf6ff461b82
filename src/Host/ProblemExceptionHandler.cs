using JasperFx;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Ellity.Host;

/// <summary>
/// Failures the client can do something about get their own status instead of a 500: a lost race
/// on one stream is a 409, an unreachable database a 503; both can be retried.
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var problem = Classify(exception);
        if (problem is null) return false;
        context.Response.StatusCode = problem.Status!.Value;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable) context.Response.Headers.RetryAfter = "5";
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, Exception = exception, ProblemDetails = problem });
    }

    // Marten wraps driver errors (e.g. a session whose connection broke), so the whole chain is looked at.
    private static ProblemDetails? Classify(Exception exception)
    {
        if (StorageFailures.IsTransient(exception))
            return new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Storage unavailable",
                Detail = "The database could not be reached; nothing was changed. Retry the request shortly.",
            };
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is ConcurrencyException)
                return new ProblemDetails
                {
                    Status = StatusCodes.Status409Conflict,
                    Title = "Concurrent change",
                    Detail = "Someone else changed this resource at the same time; retry the request.",
                };
        }
        return null;
    }
}

using Npgsql;

namespace Ellity.Host;

internal static class StorageFailures
{
    /// <summary>Whether an exception, or one it wraps, is PostgreSQL being unreachable or restarting.</summary>
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException { IsTransient: true } or TimeoutException) return true;
        }
        return false;
    }
}

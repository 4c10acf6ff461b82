using System.Data.Common;
using Npgsql;

namespace Ellity.Host;

internal static class Defaults
{
    /// <summary>The PostgreSQL that <c>./run.sh</c> provisions; a ConnectionStrings:Ellity setting overrides it.</summary>
    public const string ConnectionString = "Host=127.0.0.1;Port=55432;Username=postgres;Database=ellity";

    /// <summary>
    /// The configured connection string with the pool settings the delivery pipeline relies on, unless
    /// the setting names them itself. Sessions open and close connections many times per delivery:
    /// resetting each on return (<c>DISCARD ALL</c>) was a quarter of the statements PostgreSQL ran, and
    /// preparing the pipeline's few hot statements saves parsing and planning them every time.
    /// </summary>
    public static string Tuned(string connectionString)
    {
        // Npgsql accepts each keyword with or without its spaces, in any case.
        var named = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(key => key.Replace(" ", "")).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!named.Contains(nameof(builder.NoResetOnClose))) builder.NoResetOnClose = true;
        if (!named.Contains(nameof(builder.MaxAutoPrepare))) builder.MaxAutoPrepare = 64;
        return builder.ConnectionString;
    }
}

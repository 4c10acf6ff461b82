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
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Names(connectionString, "No Reset On Close", "NoResetOnClose")) builder.NoResetOnClose = true;
        if (!Names(connectionString, "Max Auto Prepare", "MaxAutoPrepare")) builder.MaxAutoPrepare = 64;
        return builder.ConnectionString;
    }

    private static bool Names(string connectionString, params string[] keys) =>
        keys.Any(key => connectionString.Contains(key, StringComparison.OrdinalIgnoreCase));
}

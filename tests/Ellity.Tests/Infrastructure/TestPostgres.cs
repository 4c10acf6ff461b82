using System.Diagnostics;
using Npgsql;

namespace Ellity.Tests.Infrastructure;

/// <summary>
/// The real PostgreSQL server the tests run against: <c>ELLITY_TEST_POSTGRES</c> when set (as
/// <c>./test.sh</c> does), otherwise a throwaway cluster started by <c>scripts/postgres.sh</c>.
/// Each fixture gets a database of its own and drops it afterwards.
/// </summary>
public static class TestPostgres
{
    private static readonly Lazy<string> Server = new(FindOrStartServer);

    public static async Task<string> CreateDatabaseAsync()
    {
        var name = $"ellity_test_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(Server.Value);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(Server.Value) { Database = name }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Server.Value);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static string FindOrStartServer()
    {
        var configured = Environment.GetEnvironmentVariable("ELLITY_TEST_POSTGRES");
        var connectionString = string.IsNullOrWhiteSpace(configured) ? StartThrowawayCluster() : configured;
        return new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString;
    }

    private static string StartThrowawayCluster()
    {
        var root = RepositoryRoot();
        var start = new ProcessStartInfo("bash", ["scripts/postgres.sh", "start", "test", "55433", "--throwaway"])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException("Could not start a test PostgreSQL with scripts/postgres.sh; run ./test.sh or set ELLITY_TEST_POSTGRES.");
        return output.Trim().Split('\n').Last();
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ellity.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Ellity.sln not found above the test binaries.");
    }
}

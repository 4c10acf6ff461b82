using System.Diagnostics;
using Ellity.Tests.Infrastructure;

namespace Ellity.Tests.Operations;

/// <summary>
/// Outside Development the Host runs the handler and endpoint adapters committed under
/// src/Host/Internal/Generated instead of generating them at start. Stale ones would run old
/// middleware or miss a new endpoint, so they must be exactly what Wolverine generates now.
/// </summary>
public sealed class GeneratedCodeTests
{
    [Fact]
    public async Task committed_generated_code_is_what_the_host_generates_from_the_current_handlers()
    {
        var committed = Path.Combine(TestPostgres.RepositoryRoot(), "src", "Host", "Internal", "Generated");
        var scratch = Directory.CreateTempSubdirectory("ellity-codegen-");
        try
        {
            // `codegen write` writes under the working directory and needs no database.
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Ellity.Host.dll"), "codegen", "write"])
            {
                WorkingDirectory = scratch.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["ConnectionStrings__Ellity"] = "Host=127.0.0.1;Port=1;Username=nobody";
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(process.ExitCode == 0, $"codegen write failed: {await output}{await errors}");

            var generated = Path.Combine(scratch.FullName, "Internal", "Generated");
            var expected = Files(generated);
            Assert.NotEmpty(expected);
            var actual = Files(committed);
            var stale = expected.Keys.Union(actual.Keys)
                .Where(name => !actual.TryGetValue(name, out var text) || !expected.TryGetValue(name, out var now) || text != now)
                .Order().ToList();
            Assert.True(stale.Count == 0,
                "Generated code is out of date: run scripts/codegen.sh and commit src/Host/Internal/Generated. " +
                $"Differs: {string.Join(", ", stale)}");
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static Dictionary<string, string> Files(string root) =>
        Directory.Exists(root)
            ? Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
                .ToDictionary(path => Path.GetRelativePath(root, path), File.ReadAllText)
            : [];
}

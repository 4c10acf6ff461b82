using System.Diagnostics;
using System.Text.Json;

namespace Ellity.Bench.Scenarios;

/// <summary>One rendering micro-benchmark, as Ellity.Bench.Templates (BenchmarkDotNet) reports it.</summary>
public sealed record RenderResult(string Benchmark, double MeanNanoseconds, double RendersPerSecond, long AllocatedBytes,
    int OutputChars, long OutputStringBytes, string Output)
{
    /// <summary>Whether the render allocates nothing but its output string.</summary>
    public bool AllocatesOnlyOutput => AllocatedBytes <= OutputStringBytes;
}

/// <summary>Runs the BenchmarkDotNet template benchmarks in their own process and reads their results.</summary>
public static class Templates
{
    public static async Task<IReadOnlyList<RenderResult>> RunAsync(BenchSettings settings)
    {
        var output = Path.Combine(Path.GetTempPath(), $"ellity-bench-templates-{settings.RunId}.json");
        var log = settings.LogPath("templates");
        Console.Error.WriteLine($"[templates] BenchmarkDotNet, log {log}");
        List<string> arguments = [settings.TemplatesDll, "--out", output];
        if (settings.Quick) arguments.Add("--quick");
        var start = new ProcessStartInfo("/bin/sh", ["-c", "exec dotnet \"$@\" >\"$0\" 2>&1", log, .. arguments])
        {
            WorkingDirectory = Path.GetDirectoryName(settings.TemplatesDll)!,
        };
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"BenchmarkDotNet failed (exit {process.ExitCode}); see {log}");
        var results = JsonSerializer.Deserialize<List<RenderResult>>(await File.ReadAllTextAsync(output), JsonSerializerOptions.Web)!;
        File.Delete(output);
        foreach (var r in results)
            Console.Error.WriteLine($"  {r.Benchmark}: {r.RendersPerSecond:N0}/s, {r.AllocatedBytes} B allocated, output {r.OutputStringBytes} B");
        return results;
    }
}

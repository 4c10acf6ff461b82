using System.Text.Json;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Ellity.Bench.Templates;

// Usage: Ellity.Bench.Templates [--quick] [--out results.json] | [--quick] --conditions
var quick = args.Contains("--quick");
var outIndex = Array.IndexOf(args, "--out");
var outPath = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : null;

// Pinned to the first core: "renders per second on one core". A quick run skips building a separate
// benchmark process and measures in this one.
var job = quick ? Job.ShortRun.WithAffinity(1).WithToolchain(InProcessEmitToolchain.Instance) : Job.Default.WithAffinity(1);
var config = DefaultConfig.Instance.AddJob(job).WithOptions(ConfigOptions.DisableLogFile);
// --conditions: what checking a webhook's conditions costs per event, printed by BenchmarkDotNet.
if (args.Contains("--conditions"))
{
    BenchmarkRunner.Run<ConditionBenchmarks>(config);
    return 0;
}
var summary = BenchmarkRunner.Run<RenderingBenchmarks>(config);

var results = summary.Reports
    .Where(r => r.ResultStatistics is not null)
    .Select(r =>
    {
        var name = r.BenchmarkCase.Descriptor.WorkloadMethod.Name;
        var output = RenderingBenchmarks.Output(name);
        return new RenderResult(
            name,
            Math.Round(r.ResultStatistics!.Mean, 2),
            Math.Round(1e9 / r.ResultStatistics.Mean),
            r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase) ?? -1,
            output.Length,
            StringBytes(output.Length),
            output);
    })
    .ToList();

foreach (var result in results)
    Console.WriteLine($"{result.Benchmark}: {result.MeanNanoseconds} ns, {result.RendersPerSecond:N0} renders/s, " +
        $"{result.AllocatedBytes} B allocated per render, the output string alone is {result.OutputStringBytes} B");
if (outPath is not null)
    await File.WriteAllTextAsync(outPath, JsonSerializer.Serialize(results, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
return results.Count == 2 ? 0 : 1;

// A string on 64-bit .NET: header and method table (16 B), length (4 B), UTF-16 chars and a terminating
// null char, rounded up to 8 bytes.
static long StringBytes(int chars) => (16 + 4 + 2L * (chars + 1) + 7) / 8 * 8;

/// <param name="AllocatedBytes">Managed bytes allocated per render (BenchmarkDotNet's MemoryDiagnoser).</param>
/// <param name="OutputStringBytes">The size of the rendered string itself: a render allocating only its output allocates this.</param>
internal sealed record RenderResult(string Benchmark, double MeanNanoseconds, double RendersPerSecond, long AllocatedBytes,
    int OutputChars, long OutputStringBytes, string Output);

using System.Text.Json;
using System.Text.Json.Serialization;
using Ellity.Bench;
using Ellity.Bench.Scenarios;

// Run by bench/run.sh, which provisions PostgreSQL, builds the Host and passes everything below.
var settings = BenchSettings.Parse(args);
var server = new Database(settings.Server);
var machine = await Machine.DescribeAsync(settings, server);
Console.Error.WriteLine($"Benchmark {settings.RunId}: {string.Join(", ", settings.Scenarios)}{(settings.Quick ? " (quick)" : "")}; " +
    $"load average {string.Join(" ", machine.LoadAverageAtStart)}");

var failures = new Dictionary<string, string>();
async Task<T?> Run<T>(string scenario, Func<BenchSettings, Task<T>> body) where T : class
{
    if (!settings.Scenarios.Contains(scenario)) return null;
    try
    {
        return await body(settings);
    }
    catch (Exception e)
    {
        // One broken scenario should not cost the figures of the others; the run still ends as failed.
        Console.Error.WriteLine($"[{scenario}] failed: {e}");
        failures[scenario] = e.Message;
        return null;
    }
}

var baselines = await Run("baselines", Baselines.RunAsync);
var throughput = await Run("throughput", Throughput.RunAsync);
var bulk = await Run("bulk", Bulk.RunAsync);
var latency = await Run("latency", LatencyUnderLoad.RunAsync);
var fanOut = await Run("fanout", FanOut.RunAsync);
var outage = await Run("outage", OutageDrain.RunAsync);
var history = await Run("history", History.RunAsync);
var soak = await Run("soak", LatencyUnderLoad.SoakAsync);
var templates = await Run("templates", Templates.RunAsync);

var results = new BenchResults(settings.RunId, settings.Quick, machine with { LoadAverageAtEnd = Machine.LoadAverage() },
    settings.Counts, throughput, bulk, latency, soak, fanOut, outage, history, baselines, templates, failures);

var json = new JsonSerializerOptions(JsonSerializerDefaults.Web)
{
    WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
};
var suffix = settings.Quick ? "-quick" : "";
var jsonPath = Path.Combine(settings.ResultsDirectory, $"{settings.RunId}{suffix}.json");
await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(results, json));
var markdown = Report.Markdown(results);
await File.WriteAllTextAsync(Path.Combine(settings.ResultsDirectory, $"latest{suffix}.md"), markdown);
Console.WriteLine(markdown);
Console.Error.WriteLine($"Results: {jsonPath}");
return failures.Count == 0 ? 0 : 1;

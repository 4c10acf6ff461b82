using System.Diagnostics;

namespace Ellity.Tests.Infrastructure;

/// <summary>
/// The Host as a real operating-system process (the build next to the tests), so a test can
/// SIGKILL it mid-work and start it again on the same database.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private HostProcess(Process process, StreamWriter log, string url, string logPath)
    {
        _process = process;
        _log = log;
        Url = url;
        LogPath = logPath;
        Client.DefaultRequestHeaders.Authorization = new("Bearer", AppFixture.OperatorKey);
    }

    public string Url { get; }

    /// <summary>Everything the process wrote to stdout and stderr.</summary>
    public string LogPath { get; }

    /// <summary>The log so far (the writer is shared, so read it under its lock).</summary>
    public string ReadLog()
    {
        lock (_log) return File.ReadAllText(LogPath);
    }
    public HttpClient Client { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<HostProcess> StartAsync(string connectionString, int port, IReadOnlyDictionary<string, string>? settings = null)
    {
        var url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Ellity.Host.dll")])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ConnectionStrings__Ellity"] = connectionString;
        start.Environment["ASPNETCORE_URLS"] = url;
        start.Environment["Webhooks__AllowedNetworks__0"] = "127.0.0.0/8";
        start.Environment["Access__OperatorKey"] = AppFixture.OperatorKey;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            start.Environment[key.Replace(":", "__")] = value;

        var logPath = Path.Combine(Path.GetTempPath(), $"ellity-host-{port}-{DateTime.UtcNow:HHmmssfff}.log");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var host = new HostProcess(process, log, url, logPath);
        await host.WaitUntilReadyAsync(logPath);
        return host;
    }

    private async Task WaitUntilReadyAsync(string logPath)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The Host exited at start; see {logPath}");
            try
            {
                using var response = await Client.GetAsync($"{Url}/api/webhooks/triggers");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The Host did not answer within 90 s; see {logPath}");
    }

    /// <summary>POSTs JSON with the operator key and returns the answer; anything but a 2xx throws.</summary>
    public async Task<System.Text.Json.Nodes.JsonNode> PostAsync(string path, object body)
    {
        using var response = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(Client, Url + path, body);
        response.EnsureSuccessStatusCode();
        return System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    public async Task<System.Text.Json.Nodes.JsonNode> GetAsync(string path)
    {
        using var response = await Client.GetAsync(Url + path);
        response.EnsureSuccessStatusCode();
        return System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>Registers a new e-shop with the operator key (every e-shop route needs a registered one), with the Webhooks feature.</summary>
    public async Task<string> NewEshopAsync()
    {
        var eshop = AppFixture.NewEshopId();
        await RegisterEshopAsync(eshop);
        return eshop;
    }

    /// <summary>Registers <paramref name="eshop"/> and adds the Webhooks feature; returns the registration (with its API key).</summary>
    public async Task<System.Text.Json.Nodes.JsonNode> RegisterEshopAsync(string eshop)
    {
        var registered = await PostAsync("/api/eshops", new { eshopId = eshop, name = "Shop " + eshop });
        await PostAsync($"/api/eshops/{eshop}/features/webhooks", new { });
        return registered;
    }

    /// <summary>SIGKILL: no shutdown, no flushing, exactly like a crash.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        Client.Dispose();
        await _log.DisposeAsync();
        _process.Dispose();
    }
}

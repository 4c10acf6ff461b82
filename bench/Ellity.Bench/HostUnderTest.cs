using System.Diagnostics;

namespace Ellity.Bench;

/// <summary>
/// The Host (its Release build) as its own process, configured through the environment the way an
/// operator would, on its own database, logging to a file.
/// </summary>
public sealed class HostUnderTest : IAsyncDisposable
{
    private readonly Process _process;

    private HostUnderTest(Process process, string url, string logPath)
    {
        _process = process;
        Url = url;
        LogPath = logPath;
    }

    public string Url { get; }
    public string LogPath { get; }
    public int Pid => _process.Id;

    public static async Task<HostUnderTest> StartAsync(BenchSettings settings, string connectionString, string logPath)
    {
        var url = $"http://127.0.0.1:{Receiver.FreePort()}";
        // exec: the shell becomes the Host, so the pid is the Host's and its output goes straight to the file.
        var start = new ProcessStartInfo("/bin/sh", ["-c", "exec dotnet \"$0\" >\"$1\" 2>&1", settings.HostDll, logPath])
        {
            WorkingDirectory = Path.GetDirectoryName(settings.HostDll)!,
            UseShellExecute = false,
        };
        start.Environment["ConnectionStrings__Ellity"] = connectionString;
        start.Environment["ASPNETCORE_URLS"] = url;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Access__OperatorKey"] = settings.OperatorKey;
        start.Environment["Webhooks__AllowedNetworks__0"] = "127.0.0.0/8";
        var host = new HostUnderTest(Process.Start(start)!, url, logPath);
        await host.WaitUntilReadyAsync();
        return host;
    }

    private async Task WaitUntilReadyAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The Host exited at start; see {LogPath}");
            try
            {
                using var response = await client.GetAsync($"{Url}/api/webhooks/triggers");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"The Host did not answer within 120 s; see {LogPath}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM: a normal shutdown; killed if it takes too long.
            Process.Start("kill", ["-TERM", _process.Id.ToString()])?.WaitForExit();
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try { await _process.WaitForExitAsync(patience.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        }
        _process.Dispose();
    }
}

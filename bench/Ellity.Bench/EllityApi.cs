using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Ellity.Bench;

/// <summary>The Host's public HTTP API, as an e-shop's systems use it.</summary>
public sealed class EllityApi : IDisposable
{
    private readonly HttpClient _client;
    private readonly string _operatorKey;
    private string? _eshopId;
    private AuthenticationHeaderValue? _eshopKey;
    private readonly string _ordering;

    /// <param name="ordered">Whether the webhooks it creates deliver in order per customer (<c>--ordered</c>), to measure what that costs.</param>
    public EllityApi(string baseUrl, string operatorKey, bool ordered = false)
    {
        _operatorKey = operatorKey;
        _ordering = ordered ? "perCustomer" : "none";
        _client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, UseCookies = false })
        {
            BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60),
        };
    }

    private string Eshop => _eshopId ?? throw new InvalidOperationException("Register the e-shop first.");

    /// <summary>Registers the e-shop with the operator key; everything after runs with the e-shop's own API key.</summary>
    public async Task RegisterEshopAsync(string eshopId)
    {
        var shop = JsonNode.Parse(await SendAsync(HttpMethod.Post, "/api/eshops", new { eshopId, name = $"Benchmark {eshopId}" },
            new AuthenticationHeaderValue("Bearer", _operatorKey)))!;
        _eshopId = eshopId;
        _eshopKey = new AuthenticationHeaderValue("Bearer", shop["apiKey"]!.GetValue<string>());
        await SendAsync(HttpMethod.Post, $"/api/eshops/{eshopId}/features/webhooks", new { });
    }

    public async Task<Guid> CreateWebhookAsync(string name, string url, string body, IReadOnlyList<int>? retrySchedule = null)
    {
        var webhook = JsonNode.Parse(await SendAsync(HttpMethod.Post, $"/api/eshops/{Eshop}/webhooks", new
        {
            name, trigger = "customer.credit.changed", url, body, enabled = true, retrySchedule, ordering = _ordering,
        }))!;
        return webhook["id"]!.GetValue<Guid>();
    }

    public async Task<Guid> RegisterCustomerAsync(int number)
    {
        var customer = JsonNode.Parse(await SendAsync(HttpMethod.Post, $"/api/eshops/{Eshop}/customers", new
        {
            email = $"customer{number}@example.cz", credit = 1000,
            group = new { id = "retail", name = "Maloobchod" }, tier = new { id = "gold", name = "Zlatá" },
        }))!;
        return customer["id"]!.GetValue<Guid>();
    }

    public Task ChangeCreditAsync(Guid customerId, int number, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"/api/eshops/{Eshop}/customers/{customerId}/credit",
            new { value = number % 2 == 0 ? 5 : -3, reason = $"order {number}" }, ct: ct);

    /// <summary>Credit changes number <paramref name="first"/> onwards in one request, customer n mod the customers' count each.</summary>
    public Task ChangeCreditsAsync(Guid[] customers, int first, int count, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"/api/eshops/{Eshop}/customers/credit-changes", new
        {
            changes = Enumerable.Range(first, count).Select(n =>
                new { customerId = customers[n % customers.Length], value = n % 2 == 0 ? 5 : -3, reason = $"order {n}" }),
        }, ct: ct);

    /// <summary>Registers <paramref name="count"/> customers, <paramref name="concurrency"/> at a time.</summary>
    public async Task<Guid[]> RegisterCustomersAsync(int count, int concurrency)
    {
        var ids = new Guid[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (n, _) => ids[n] = await RegisterCustomerAsync(n));
        return ids;
    }

    private async Task<string> SendAsync(HttpMethod method, string path, object body,
        AuthenticationHeaderValue? key = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = key ?? _eshopKey;
        using var response = await _client.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{method} {path} answered {(int)response.StatusCode}: {text}");
        return text;
    }

    public void Dispose() => _client.Dispose();
}

using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Ellity.Host;
using Ellity.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Ellity.Tests.Operations;

/// <summary>
/// DataProtection:Certificate encrypts the key ring stored in PostgreSQL; one that cannot be read stops the start. The
/// Host runs as a process of its own: a second Host in this process would share its meters, and disposing it would
/// silence the others' (open-telemetry/opentelemetry-dotnet#6412).
/// </summary>
public sealed class KeyRingCertificateTests : IAsyncLifetime
{
    private const string Password = "key-ring-test-password";
    private readonly string _certificatePath = Path.Combine(Path.GetTempPath(), $"ellity-key-ring-{Guid.NewGuid():N}.pfx");
    private string _db = "";

    private Dictionary<string, string> Settings => new()
    {
        [KeyRingCertificate.PathSetting] = _certificatePath,
        [KeyRingCertificate.PasswordSetting] = Password,
    };

    public async Task InitializeAsync()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Ellity key ring test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        await File.WriteAllBytesAsync(_certificatePath, certificate.Export(X509ContentType.Pfx, Password));
        _db = await TestPostgres.CreateDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        File.Delete(_certificatePath);
        await TestPostgres.DropDatabaseAsync(_db);
    }

    [Fact]
    public async Task with_a_certificate_the_key_ring_is_stored_encrypted_and_read_back_by_the_next_start()
    {
        await using var receiver = await ScriptedReceiver.StartAsync((c, _) =>
        {
            c.Response.StatusCode = 200;
            return Task.CompletedTask;
        });
        string eshop, webhook, secret;
        await using (var first = await HostProcess.StartAsync(_db, ScriptedReceiver.FreePort(), Settings))
        {
            eshop = await first.NewEshopAsync();
            // Protecting the new webhook's secret and header makes the key ring's first key.
            var created = await first.PostAsync($"/api/eshops/{eshop}/webhooks", new
            {
                name = "keys", trigger = "customer.credit.changed", url = receiver.Url,
                headers = new Dictionary<string, string> { ["X-Api-Key"] = "kept-in-the-key-ring" },
            });
            webhook = created["id"]!.GetValue<string>();
            secret = created["secret"]!.GetValue<string>();
        }

        var keys = await StoredKeysAsync();
        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.Contains("<encryptedSecret", xml);
            Assert.Contains("EncryptedXmlDecryptor", xml);
            Assert.DoesNotContain("<masterKey", xml);
        });

        // A new process has only the database and the certificate file: it decrypts what the first one protected.
        await using var second = await HostProcess.StartAsync(_db, ScriptedReceiver.FreePort(), Settings);
        var shown = JsonNode.Parse(await second.Client.GetStringAsync($"{second.Url}/api/eshops/{eshop}/webhooks/{webhook}/secret"))!;
        Assert.Equal(secret, shown["secret"]!.GetValue<string>());
        var customer = (await second.PostAsync($"/api/eshops/{eshop}/customers", new { email = "k@example.cz" }))["id"]!.GetValue<string>();
        await second.PostAsync($"/api/eshops/{eshop}/customers/{customer}/credit", new { value = 1 });
        for (var deadline = DateTime.UtcNow.AddSeconds(30); receiver.Requests.Count == 0; await Task.Delay(100))
            Assert.True(DateTime.UtcNow < deadline, "no delivery arrived");
        Assert.Equal("kept-in-the-key-ring", receiver.Requests[0].Headers["X-Api-Key"]);
        Ellity.Tests.Webhooks.Delivering.SigningTests.AssertSignedWith(secret, receiver.Requests[0]);
    }

    [Fact]
    public async Task a_certificate_path_that_cannot_be_read_stops_the_host_with_the_reason()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"ellity-missing-{Guid.NewGuid():N}.pfx");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Ellity.Host.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // It stops before connecting anywhere.
        start.Environment["ConnectionStrings__Ellity"] = "Host=127.0.0.1;Port=1;Username=nobody";
        start.Environment["DataProtection__Certificate__Path"] = missing;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));

        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains($"{KeyRingCertificate.PathSetting} is '{missing}', which cannot be read as a PFX file", await errors + await output);
    }

    [Fact]
    public void a_wrong_password_is_refused_with_the_reason()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [KeyRingCertificate.PathSetting] = _certificatePath,
            [KeyRingCertificate.PasswordSetting] = "not the password",
        }).Build();

        var refused = Assert.Throws<InvalidOperationException>(() => KeyRingCertificate.From(configuration));

        Assert.StartsWith($"{KeyRingCertificate.PathSetting} is '{_certificatePath}', which cannot be read", refused.Message);
        Assert.IsAssignableFrom<CryptographicException>(refused.InnerException);
        Assert.Null(KeyRingCertificate.From(new ConfigurationBuilder().Build()));
    }

    private async Task<IReadOnlyList<string>> StoredKeysAsync()
    {
        await using var connection = new NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select data->>'xml' from ellity.mt_doc_dataprotectionkey", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync()) keys.Add(reader.GetString(0));
        return keys;
    }
}

using System.Diagnostics;
using System.Security.Cryptography;
using Ellity.Host;
using Ellity.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ellity.Tests.Operations;

/// <summary>DataProtection:Certificate encrypts the key ring stored in PostgreSQL; one that cannot be read stops the start.</summary>
[Collection(KeyRingCertificateCollection.Name)]
public sealed class KeyRingCertificateTests(KeyRingCertificateFixture app)
{
    [Fact]
    public async Task with_a_certificate_the_key_ring_is_stored_encrypted_and_still_read()
    {
        var eshop = await app.NewEshopAsync();
        // Protecting the new webhook's secret makes the key ring's first key.
        var created = await app.PostAsync($"/api/eshops/{eshop}/webhooks", new
        {
            name = "keys", trigger = "customer.credit.changed", url = app.Receiver.NewEndpoint(), body = "{\"c\": #customer.credit#}",
        }, 201);

        var keys = await StoredKeysAsync();

        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.Contains("<encryptedSecret", xml);
            Assert.Contains("EncryptedXmlDecryptor", xml);
            Assert.DoesNotContain("<masterKey", xml);
        });
        // Read back from PostgreSQL and decrypted with the configured certificate, which is in no certificate store.
        Assert.All(app.Host.Services.GetRequiredService<IKeyManager>().GetAllKeys(), key => Assert.NotNull(key.Descriptor));
        var secret = await app.GetAsync($"/api/eshops/{eshop}/webhooks/{created["id"]}/secret");
        Assert.Equal(created["secret"]!.GetValue<string>(), secret["secret"]!.GetValue<string>());
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
            [KeyRingCertificate.PathSetting] = app.CertificatePath,
            [KeyRingCertificate.PasswordSetting] = "not the password",
        }).Build();

        var refused = Assert.Throws<InvalidOperationException>(() => KeyRingCertificate.From(configuration));

        Assert.StartsWith($"{KeyRingCertificate.PathSetting} is '{app.CertificatePath}', which cannot be read", refused.Message);
        Assert.IsAssignableFrom<CryptographicException>(refused.InnerException);
        Assert.Null(KeyRingCertificate.From(new ConfigurationBuilder().Build()));
    }

    private async Task<IReadOnlyList<string>> StoredKeysAsync()
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select data->>'xml' from ellity.mt_doc_dataprotectionkey", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync()) keys.Add(reader.GetString(0));
        return keys;
    }
}

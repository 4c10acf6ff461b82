using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ellity.Host;
using Ellity.Tests.Infrastructure;

namespace Ellity.Tests.Operations;

/// <summary>A Host whose Data Protection key ring is encrypted with a certificate: a self-signed one made for the run, as a PFX file.</summary>
public sealed class KeyRingCertificateFixture : AppFixture, IDisposable
{
    public const string Password = "key-ring-test-password";

    public string CertificatePath { get; } = Path.Combine(Path.GetTempPath(), $"ellity-key-ring-{Guid.NewGuid():N}.pfx");

    public KeyRingCertificateFixture()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Ellity key ring test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        File.WriteAllBytes(CertificatePath, certificate.Export(X509ContentType.Pfx, Password));
        Settings = new Dictionary<string, string>
        {
            ["Webhooks:AllowedNetworks:0"] = "127.0.0.0/8",
            ["Access:OperatorKey"] = OperatorKey,
            [KeyRingCertificate.PathSetting] = CertificatePath,
            [KeyRingCertificate.PasswordSetting] = Password,
        };
    }

    protected override IReadOnlyDictionary<string, string> Settings { get; }

    public void Dispose() => File.Delete(CertificatePath);
}

[CollectionDefinition(Name)]
public sealed class KeyRingCertificateCollection : ICollectionFixture<KeyRingCertificateFixture>
{
    public const string Name = "key-ring-certificate";
}

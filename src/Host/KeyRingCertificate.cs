using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ellity.Host;

/// <summary>
/// The certificate that encrypts the Data Protection key ring at rest: <c>DataProtection:Certificate:Path</c>, a PFX
/// file, and its <c>Password</c>. Without one the keys, which decrypt every webhook secret and custom header, are
/// stored as they are.
/// </summary>
public static class KeyRingCertificate
{
    public const string PathSetting = "DataProtection:Certificate:Path";
    public const string PasswordSetting = "DataProtection:Certificate:Password";

    /// <summary>The configured certificate, or null when none is; a configured one that cannot be used stops the start.</summary>
    public static X509Certificate2? From(IConfiguration configuration)
    {
        var path = configuration[PathSetting];
        if (string.IsNullOrWhiteSpace(path)) return null;
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, configuration[PasswordSetting]);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"{PathSetting} is '{path}', which cannot be read as a PFX file with the {PasswordSetting} given: {e.Message}", e);
        }
        // Encrypting needs only the public key, but every later start must decrypt the keys again.
        if (certificate.HasPrivateKey) return certificate;
        certificate.Dispose();
        throw new InvalidOperationException(
            $"{PathSetting} is '{path}', whose certificate has no private key: the key ring could be encrypted but never read back.");
    }
}

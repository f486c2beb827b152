using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Packyard.Tests.Kubernetes.Envtest;

/// <summary>
/// The certificates and keys a throwaway API server needs, made in memory: a CA, the serving certificate (127.0.0.1 and
/// the in-cluster names), the service-account signing key pair, and client certificates for any user and groups
/// (Kubernetes takes the user from the subject's CN and the groups from its O entries).
/// </summary>
public sealed class EnvtestPki : IDisposable
{
    private readonly X509Certificate2 ca;

    public EnvtestPki(string folder)
    {
        Folder = folder;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=packyard-envtest-ca", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        CaPem = ca.ExportCertificatePem();
        File.WriteAllText(CaFile, CaPem);

        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        foreach (var dns in new[] { "localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local" })
        {
            names.AddDnsName(dns);
        }

        var (servingCertificate, servingKey) = Issue("CN=kube-apiserver", [names.Build(), new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)]);
        File.WriteAllText(ServingCertificateFile, servingCertificate);
        File.WriteAllText(ServingKeyFile, servingKey);

        using var serviceAccountKey = RSA.Create(2048);
        File.WriteAllText(ServiceAccountKeyFile, serviceAccountKey.ExportRSAPrivateKeyPem());
        File.WriteAllText(ServiceAccountPublicKeyFile, serviceAccountKey.ExportSubjectPublicKeyInfoPem());
    }

    public string Folder { get; }

    public string CaPem { get; }

    public string CaFile => Path.Combine(Folder, "ca.crt");

    public string ServingCertificateFile => Path.Combine(Folder, "apiserver.crt");

    public string ServingKeyFile => Path.Combine(Folder, "apiserver.key");

    public string ServiceAccountKeyFile => Path.Combine(Folder, "sa.key");

    public string ServiceAccountPublicKeyFile => Path.Combine(Folder, "sa.pub");

    /// <summary>A client certificate and key (PEM) for <paramref name="user"/> in <paramref name="groups"/>.</summary>
    public (string Certificate, string Key) ClientCertificate(string user, params string[] groups)
    {
        var subject = new X500DistinguishedNameBuilder();
        foreach (var group in groups)
        {
            subject.AddOrganizationName(group);
        }

        subject.AddCommonName(user);
        return Issue(subject.Build(), [new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false)]);
    }

    private (string Certificate, string Key) Issue(string subject, X509Extension[] extensions) => Issue(new X500DistinguishedName(subject), extensions);

    private (string Certificate, string Key) Issue(X500DistinguishedName subject, X509Extension[] extensions)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        foreach (var extension in extensions)
        {
            request.CertificateExtensions.Add(extension);
        }

        using var certificate = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(16));
        return (certificate.ExportCertificatePem(), key.ExportRSAPrivateKeyPem());
    }

    public void Dispose() => ca.Dispose();
}

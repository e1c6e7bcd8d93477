"""The service's own certificate authority (docs/adr/0004).

It issues a certificate to each signatory at the moment they sign, naming the
person and their role; the matching private key signs once and is then
dropped, never stored. It also issues the certificate of the service's final
seal the same way. Only the CA's own key and certificate are configured.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Long enough that a signed endorsement still checks as trusted years later:
# the key behind each certificate is used once and destroyed, so a long life
# gives nobody anything to misuse.
CERTIFICATE_YEARS = 25
CA_NAME = "Keep it Local signing authority"


@dataclass(frozen=True)
class SigningAuthority:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey | object

    @property
    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def asn1_certificate(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.certificate_der)


@dataclass(frozen=True)
class OneTimeCredential:
    """A fresh key and the certificate that names its holder; used for one signature."""

    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def asn1_certificate(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.certificate.public_bytes(serialization.Encoding.DER))

    @property
    def asn1_key(self) -> asn1_keys.PrivateKeyInfo:
        return asn1_keys.PrivateKeyInfo.load(
            self.key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


def _configured(text_setting: str, file_setting: str, what: str) -> bytes:
    text = getattr(settings, text_setting, "")
    if text:
        return text.encode()
    path = getattr(settings, file_setting, "")
    if not path:
        raise ImproperlyConfigured(
            f"No signing {what} is configured: set {text_setting} or {file_setting}."
        )
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"The signing {what} file {file_setting} cannot be read ({exc.strerror})."
        ) from None


def trust_root() -> asn1_x509.Certificate:
    """The CA certificate signatures are checked against.

    Checking a signature needs only the public certificate, so the verify page
    reads nothing else: not the key, which only signing needs.
    """
    cert_pem = _configured("SIGNING_CA_CERT", "SIGNING_CA_CERT_FILE", "CA certificate")
    try:
        certificate = x509.load_pem_x509_certificate(cert_pem)
    except ValueError:
        raise ImproperlyConfigured("The signing CA certificate is not a PEM certificate.") from None
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def signing_authority() -> SigningAuthority:
    """The configured CA, checked: a key that matches a CA certificate still in date."""
    cert_pem = _configured("SIGNING_CA_CERT", "SIGNING_CA_CERT_FILE", "CA certificate")
    key_pem = _configured("SIGNING_CA_KEY", "SIGNING_CA_KEY_FILE", "CA key")
    password = settings.SIGNING_CA_KEY_PASSWORD.encode() or None
    try:
        certificate = x509.load_pem_x509_certificate(cert_pem)
    except ValueError:
        raise ImproperlyConfigured("The signing CA certificate is not a PEM certificate.") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=password)
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            "The signing CA key is not a PEM private key (or its password is wrong)."
        ) from None
    if key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) != certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        raise ImproperlyConfigured("The signing CA key does not match its certificate.")
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
        is_ca = constraints.value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise ImproperlyConfigured("The signing CA certificate is not a CA certificate.")
    if certificate.not_valid_after_utc <= datetime.datetime.now(datetime.UTC):
        raise ImproperlyConfigured("The signing CA certificate has expired.")
    return SigningAuthority(certificate=certificate, key=key)


def _name(common_name: str, *, title: str = "", organisation: str = "") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])]
    if title:
        attributes.append(x509.NameAttribute(NameOID.TITLE, title[:64]))
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]))
    return x509.Name(attributes)


def issue_one_time_credential(
    authority: SigningAuthority, *, name: str, title: str, organisation: str
) -> OneTimeCredential:
    """A new key pair and a certificate naming ``name`` as ``title`` of ``organisation``."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(name, title=title, organisation=organisation))
        .issuer_name(authority.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(
            min(
                now + datetime.timedelta(days=365 * CERTIFICATE_YEARS),
                authority.certificate.not_valid_after_utc,
            )
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.key.public_key()),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(authority.key, hashes.SHA256())
    )
    return OneTimeCredential(certificate=certificate, key=key)


def make_certificate_authority(*, name: str = CA_NAME, years: int = 30) -> tuple[bytes, bytes]:
    """A new self-signed CA: (certificate PEM, unencrypted key PEM)."""
    key = ec.generate_private_key(ec.SECP384R1())
    subject = _name(name, organisation="Keep it Local")
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA384())
    )
    return (
        certificate.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )

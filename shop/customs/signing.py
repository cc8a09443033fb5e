"""Signing customs messages: an enveloped XML-DSig as the message's last child (CBEC-RULES §7).

CEB621, 623, 625 (and 711) must carry a `ds:Signature`. Real declarations are signed with the company's
customs key, a USB key on a signing host, so signing is a pluggable step (`Signer`):

- `RsaSha1Signer`: RSA-SHA1 with a key and certificate on disk, built by hand from lxml's C14N and
  `cryptography` — the same few steps carry over to the SM2/SM3 algorithms or a hardware key.
- `ExternalSigner`: posts the unsigned document to the signing host and takes the signed one back.

Signers take and return bytes: white space is signed, so a signed document is never parsed and re-indented
on its way to disk.

Development: `python -m shop.customs.signing generate-dev-keypair DIR` writes a self-signed pair (also done on
first use by `signer_from_config` when no key is configured).
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from shop.customs.xsd import CEB_NS, DS_NS, validate

C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

KEY_FILE = "customs-signing.key"
CERT_FILE = "customs-signing.crt"


class SigningError(RuntimeError):
    """A document could not be signed (bad input, the signing host failing or changing the document)."""


class Signer(Protocol):
    def sign(self, document: bytes) -> bytes:
        """The document with an enveloped ds:Signature as the root's last child."""
        ...


def _ds(name: str) -> str:
    return f"{{{DS_NS}}}{name}"


def _parse(document: bytes) -> etree._Element:
    """Keep white space (it is signed); never fetch anything or expand entities."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False, huge_tree=False)
    return etree.fromstring(document, parser)


def _c14n(node: etree._Element | etree._ElementTree) -> bytes:
    """Inclusive C14N 1.0 without comments. For an element inside a document it renders the namespaces in
    scope from its ancestors, as a verifier canonicalising the SignedInfo node-set does."""
    return etree.tostring(node, method="c14n", exclusive=False, with_comments=False)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _without_signature(root: etree._Element) -> etree._Element:
    """A copy of the document as the enveloped-signature transform sees it: the Signature element gone,
    the text around it kept (lxml would drop the element's tail along with it)."""
    clone = copy.deepcopy(root.getroottree()).getroot()  # the whole document: processing instructions count
    for signature in clone.findall(_ds("Signature")):
        _remove_keeping_tail(signature)
    return clone


def _remove_keeping_tail(element: etree._Element) -> None:
    parent, tail = element.getparent(), element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def document_digest(root: etree._Element) -> str:
    """SHA-1 of the canonical document without its signature, base64 (the Reference's DigestValue)."""
    return _b64(hashlib.sha1(_c14n(_without_signature(root).getroottree())).digest())


class RsaSha1Signer:
    """Enveloped XML-DSig: C14N, rsa-sha1, sha1 digest of the whole document (URI=""), X.509 in KeyInfo."""

    def __init__(self, key_pem: bytes, cert_pem: bytes):
        key = serialization.load_pem_private_key(key_pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise SigningError("the customs signing key must be an RSA key")
        self.key = key
        self.certificate = x509.load_pem_x509_certificate(cert_pem)
        if self.certificate.public_key().public_numbers() != key.public_key().public_numbers():
            raise SigningError("the customs signing certificate is not the signing key's")

    def sign(self, document: bytes) -> bytes:
        root = _parse(document)
        if root.find(_ds("Signature")) is not None:
            raise SigningError("the document is already signed")
        digest = document_digest(root)
        signature = self._signature_element(digest)
        root.append(signature)  # last child, no tail: the text before it stays as it was digested
        signed_info = signature.find(_ds("SignedInfo"))
        value = self.key.sign(_c14n(signed_info), padding.PKCS1v15(), hashes.SHA1())
        signature.find(_ds("SignatureValue")).text = _b64(value)
        return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")

    def _signature_element(self, digest: str) -> etree._Element:
        signature = etree.Element(_ds("Signature"), nsmap={"ds": DS_NS})
        signed_info = etree.SubElement(signature, _ds("SignedInfo"))
        etree.SubElement(signed_info, _ds("CanonicalizationMethod"), Algorithm=C14N)
        etree.SubElement(signed_info, _ds("SignatureMethod"), Algorithm=RSA_SHA1)
        reference = etree.SubElement(signed_info, _ds("Reference"), URI="")
        transforms = etree.SubElement(reference, _ds("Transforms"))
        etree.SubElement(transforms, _ds("Transform"), Algorithm=ENVELOPED)
        etree.SubElement(reference, _ds("DigestMethod"), Algorithm=SHA1)
        etree.SubElement(reference, _ds("DigestValue")).text = digest
        etree.SubElement(signature, _ds("SignatureValue"))
        key_info = etree.SubElement(signature, _ds("KeyInfo"))
        x509_data = etree.SubElement(key_info, _ds("X509Data"))
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        etree.SubElement(x509_data, _ds("X509Certificate")).text = _b64(der)
        return signature


def verify(xml_bytes: bytes, cert_pem: bytes) -> bool:
    """True when the document carries one enveloped RSA-SHA1 signature, as the root's last child, made by
    the key of `cert_pem` over this very document. The certificate in KeyInfo is not trusted: `cert_pem` is."""
    try:
        root = _parse(xml_bytes)
    except etree.XMLSyntaxError:
        return False
    signatures = root.findall(f".//{_ds('Signature')}")
    if len(signatures) != 1 or root[-1] is not signatures[0]:
        return False
    signature = signatures[0]
    signed_info = signature.find(_ds("SignedInfo"))
    if signed_info is None or not _expected_algorithms(signed_info):
        return False
    value = signature.findtext(_ds("SignatureValue")) or ""
    try:
        public_key = x509.load_pem_x509_certificate(cert_pem).public_key()
        public_key.verify(base64.b64decode(value), _c14n(signed_info), padding.PKCS1v15(), hashes.SHA1())
    except (InvalidSignature, ValueError, TypeError):
        return False
    return signed_info.findtext(f"{_ds('Reference')}/{_ds('DigestValue')}", "").strip() == document_digest(root)


def _expected_algorithms(signed_info: etree._Element) -> bool:
    """Only what this module signs: a verifier that accepts other transforms can be tricked."""
    references = signed_info.findall(_ds("Reference"))
    if len(references) != 1 or references[0].get("URI") != "":
        return False
    transforms = [t.get("Algorithm") for t in references[0].iterfind(f"{_ds('Transforms')}/{_ds('Transform')}")]
    return (signed_info.find(_ds("CanonicalizationMethod")).get("Algorithm") == C14N
            and signed_info.find(_ds("SignatureMethod")).get("Algorithm") == RSA_SHA1
            and transforms == [ENVELOPED]
            and references[0].find(_ds("DigestMethod")).get("Algorithm") == SHA1)


# --- The external signer (the company's customs USB key on a signing host) ---------------------------


class ExternalSigner:
    """POSTs the unsigned document (application/xml) to a signing host and returns what it signed, after
    checking that it validates against the XSD and carries the same data as was sent."""

    def __init__(self, url: str, timeout: float = 30.0):
        if not url.startswith(("http://", "https://")):
            raise SigningError(f"the signing host's URL must be http(s): {url!r}")
        self.url, self.timeout = url, timeout
        # The signing host sits beside the shop: go straight to it, whatever proxy the environment names.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def sign(self, document: bytes) -> bytes:
        request = urllib.request.Request(self.url, data=document, method="POST",
                                         headers={"Content-Type": "application/xml; charset=utf-8"})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                signed = response.read()
        except urllib.error.HTTPError as exc:
            with exc:
                detail = exc.read()[:300].decode("utf-8", "replace")
            raise SigningError(f"the signing host answered {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SigningError(f"the signing host at {self.url} could not be reached: {exc}") from exc
        self._check(document, signed)
        return signed

    def _check(self, sent: bytes, signed: bytes) -> None:
        try:
            root = _parse(signed)
        except etree.XMLSyntaxError as exc:
            raise SigningError(f"the signing host sent back no XML document: {exc}") from exc
        if len(root) == 0 or root[-1].tag != _ds("Signature"):
            raise SigningError("the signing host sent the document back without a ds:Signature at its end")
        if _data_of(_without_signature(root)) != _data_of(_parse(sent)):
            raise SigningError("the signing host changed the document's content")
        if root.tag.startswith(f"{{{CEB_NS}}}"):
            problems = validate(root)
            if problems:
                raise SigningError("the signed document fails the XSD: " + "; ".join(map(str, problems)))


def _data_of(root: etree._Element) -> bytes:
    """The canonical document with white-space-only text dropped: a host may indent, not change data."""
    clone = copy.deepcopy(root)
    for element in clone.iter():
        if element.text is not None and not element.text.strip():
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None
    return _c14n(clone)


# --- Keys and configuration ---------------------------------------------------------------------------


def generate_dev_keypair(directory: str | Path, *, common_name: str = "GlobalBuy development customs signer",
                         ) -> tuple[Path, Path]:
    """A self-signed RSA-2048 key and certificate for development and tests: (key path, certificate path).

    The certificate is SHA-256 (cryptography issues no SHA-1 certificates); the XML signature made with the
    key is still RSA-SHA1. Never for real declarations: customs knows only the company's own certificate.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "GlobalBuy (development)"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    key_path, cert_path = directory / KEY_FILE, directory / CERT_FILE
    _write_private(key_path, key_pem)
    _write_private(cert_path, certificate.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return key_path, cert_path


def _write_private(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Written under a temporary name and renamed: a reader never sees half a key."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    with os.fdopen(handle, "wb") as fh:
        fh.write(data)
    os.chmod(temporary, mode)
    os.replace(temporary, path)


def signer_from_config(config: Mapping) -> Signer:
    """The configured signer: CUSTOMS_SIGNER "rsa" (CUSTOMS_SIGNING_KEY / CUSTOMS_SIGNING_CERT; in development
    a pair generated on first use under CUSTOMS_KEYS_DIR) or "external" (CUSTOMS_SIGNER_URL)."""
    kind = (config.get("CUSTOMS_SIGNER") or "rsa").strip().lower()
    if kind == "external":
        url = config.get("CUSTOMS_SIGNER_URL") or ""
        if not url:
            raise SigningError("CUSTOMS_SIGNER is external: set CUSTOMS_SIGNER_URL to the signing host")
        return ExternalSigner(url, float(config.get("CUSTOMS_SIGNER_TIMEOUT") or 30))
    if kind != "rsa":
        raise SigningError(f"CUSTOMS_SIGNER must be 'rsa' or 'external', not {kind!r}")
    key_path, cert_path = config.get("CUSTOMS_SIGNING_KEY") or "", config.get("CUSTOMS_SIGNING_CERT") or ""
    if not (key_path and cert_path):
        if config.get("ENV", "development") != "development":
            raise SigningError("set CUSTOMS_SIGNING_KEY and CUSTOMS_SIGNING_CERT (or CUSTOMS_SIGNER=external)")
        key_path, cert_path = _dev_keypair(Path(config["CUSTOMS_KEYS_DIR"]))
    return RsaSha1Signer(Path(key_path).read_bytes(), Path(cert_path).read_bytes())


def _dev_keypair(directory: Path) -> tuple[Path, Path]:
    key_path, cert_path = directory / KEY_FILE, directory / CERT_FILE
    if key_path.exists() and cert_path.exists():
        return key_path, cert_path
    return generate_dev_keypair(directory)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shop.customs.signing")
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate-dev-keypair", help="a self-signed key and certificate")
    generate.add_argument("directory", nargs="?", default=None, help="default: instance/customs-keys")
    args = parser.parse_args(argv)
    if args.command == "generate-dev-keypair":
        from shop import config

        directory = args.directory or config.from_environment()["CUSTOMS_KEYS_DIR"]
        key_path, cert_path = generate_dev_keypair(directory)
        print(f"key: {key_path}\ncertificate: {cert_path}")


if __name__ == "__main__":
    main()

"""Checking a delivery folder the way a partner does: the folder and our public key, nothing else.

:func:`verify_delivery` imports the public key into a temporary keyring, checks the detached
signature over ``manifest.json``, then every file the manifest lists: present, its size, its
SHA-256 and, for plaintext files, its row count, rows by op and header; and that the folder
holds nothing the manifest does not list. It returns the problems found (empty: the
delivery is intact and ours).

Encrypted files (``<name>.gpg``) are checked for size and SHA-256 of the encrypted bytes;
their rows can only be counted by whoever holds the partner's secret key, after decryption
(``verify_delivery(..., decrypted_dir=...)`` checks decrypted copies against the plaintext
figures the manifest also records).
"""

from __future__ import annotations

import json
from pathlib import Path

from antismuggling.feeds.files import count_rows, sha256_file
from antismuggling.feeds.signing import temporary_keyring

MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.asc"
REQUIRED_FIELDS = ("feed", "destination", "seq", "previous_seq", "mode", "created_at", "snapshot",
                   "source_watermark", "schema_version", "producer", "files")
FILE_FIELDS = ("name", "entity", "format", "rows", "rows_by_op", "bytes", "sha256", "columns")


def check_signature(manifest: Path, signature: Path, public_key: str | bytes) -> list[str]:
    with temporary_keyring() as (_home, gpg):
        imported = gpg.import_keys(public_key)
        fingerprints = {f for f in (imported.fingerprints or []) if f}
        if not fingerprints:
            return ["the public key given holds no OpenPGP key"]
        with signature.open("rb") as fh:
            verified = gpg.verify_file(fh, data_filename=str(manifest))
        if not verified.valid:
            if verified.status in ("signature error", "no public key") and verified.key_id:
                return [f"{MANIFEST} is signed by another key (key id {verified.key_id}), not by the key given"]
            status = verified.status or "no valid signature"
            return [f"the signature of {MANIFEST} does not verify with the key given ({status})"]
        signer = verified.pubkey_fingerprint or verified.fingerprint
        if signer not in fingerprints:
            return [f"{MANIFEST} is signed by {signer}, not by the key given"]
    return []


def verify_delivery(folder: Path | str, public_key_path: Path | str | None = None, *,
                    public_key: str | None = None, decrypted_dir: Path | None = None) -> list[str]:
    """Problems with the delivery in ``folder`` (empty list: signature and every file hold).

    The key is ``public_key_path`` (an ASCII-armoured or binary OpenPGP public key file) or
    the armoured text ``public_key``; without either, the signature cannot be checked, which
    is itself a problem.
    """
    folder = Path(folder)
    problems: list[str] = []
    if not folder.is_dir():
        return [f"{folder} is not a folder"]
    manifest_path, signature_path = folder / MANIFEST, folder / SIGNATURE
    if not manifest_path.is_file():
        return [f"{MANIFEST} is missing"]
    if not signature_path.is_file():
        problems.append(f"{SIGNATURE} is missing")
    else:
        if public_key_path is not None:
            try:
                key_data: str | bytes | None = Path(public_key_path).read_bytes()
            except OSError as exc:
                return [f"cannot read the public key {public_key_path}: {exc}"]
        else:
            key_data = public_key
        if key_data is None:
            problems.append("no public key was given: the signature is not checked")
        else:
            problems += check_signature(manifest_path, signature_path, key_data)

    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return problems + [f"{MANIFEST} is not valid JSON: {exc}"]
    if not isinstance(manifest, dict):
        return problems + [f"{MANIFEST} is not a JSON object"]
    missing = [f for f in REQUIRED_FIELDS if f not in manifest]
    if missing:
        problems.append(f"{MANIFEST} lacks {', '.join(missing)}")
    files = manifest.get("files") or []
    listed = {MANIFEST, SIGNATURE}
    for entry in files:
        name = entry.get("name")
        absent = [f for f in FILE_FIELDS if f not in entry]
        if absent:
            problems.append(f"{MANIFEST}: entry {name!r} lacks {', '.join(absent)}")
        if not name or "/" in name or name.startswith("."):
            problems.append(f"{MANIFEST}: file name {name!r} is not a plain file name")
            continue
        listed.add(name)
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is missing")
            continue
        size = path.stat().st_size
        if size != entry.get("bytes"):
            problems.append(f"{name}: {size} bytes, the manifest says {entry.get('bytes')}")
        digest = sha256_file(path)
        if digest != entry.get("sha256"):
            problems.append(f"{name}: SHA-256 {digest} differs from the manifest's")
        plaintext = path
        if entry.get("encrypted"):
            if decrypted_dir is None:
                continue
            plaintext = Path(decrypted_dir) / entry.get("plaintext_name", name.removesuffix(".gpg"))
            if not plaintext.is_file():
                problems.append(f"{plaintext.name} (decrypted {name}) is missing")
                continue
            if sha256_file(plaintext) != entry.get("plaintext_sha256"):
                problems.append(f"{plaintext.name}: SHA-256 of the decrypted file differs from the manifest's")
        try:
            rows, by_op, header = count_rows(plaintext, entry.get("format", "csv"))
        except Exception as exc:  # noqa: BLE001 - an unreadable file is a finding, not a crash
            problems.append(f"{name}: cannot be read as {entry.get('format')}: {exc}")
            continue
        if rows != entry.get("rows"):
            problems.append(f"{name}: {rows} data rows, the manifest says {entry.get('rows')}")
        if by_op != {k: int((entry.get("rows_by_op") or {}).get(k, 0)) for k in ("I", "U", "D")}:
            problems.append(f"{name}: rows by op {by_op}, the manifest says {entry.get('rows_by_op')}")
        expected = [c.get("name") for c in entry.get("columns") or []]
        if header != expected:
            problems.append(f"{name}: columns {header} differ from the manifest's {expected}")
    for path in sorted(folder.iterdir()):
        if path.name not in listed:
            problems.append(f"{path.name} is in the folder but not in the manifest")
    return problems

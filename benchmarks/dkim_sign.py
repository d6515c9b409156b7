"""Benchmark: what signing one email with DKIM costs `sotong send`, and where
that time goes.

Makes an RSA-2048 key (openssl genrsa) and an Ed25519 key in a temporary
folder, and signs a 34 KB email (the nine signed headers, as the bundles
write them; a base64 body) with the delivery plugin's signer, made through
sotong.signals.message_signers as `sotong send` asks for it. Measured, in --pairs
alternating rounds of --count signatures each (CPU time of this process):
  1. the whole signature, RSA and Ed25519: ms an email, and the emails one
     send process could sign a second at most;
  2. inside an RSA one, the two parts of dkimpy's work that depend on the
     key: reading the PEM key (dkim.crypto.parse_pem_private_key, done again
     for every signature: the most that keeping the parsed key would save)
     and the RSA private-key operation (dkim.crypto.RSASSA_PKCS1_v1_5_sign
     on the parsed key: Python's pow over the key's two 1024-bit primes).
Printed: each as median (min-max), the parse's and the RSA operation's share
of the signature, the time and the load at start and end.

    .venv/bin/python benchmarks/dkim_sign.py [--count 200] [--pairs 5]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "plugins"))
sys.path.insert(0, str(REPO / "benchmarks"))

from synthetic import add_pairs_option, measuring, spread  # noqa: E402

HEADERS = (b'From: "=?utf-8?b?7ISx64+Z6rWs?=" <news@sd.go.kr>\r\n'
           b"To: reader-00123@example.com\r\n"
           b"Subject: =?utf-8?b?7ISx64+Z6rWsIOyGjOyGjCDshozsi50gMjAyNi0xMS0yNg==?=\r\n"
           b"Date: Thu, 26 Nov 2026 09:00:00 +0900\r\n"
           b"Message-ID: <2026-11-26.00123@sd.go.kr>\r\n"
           b"List-Unsubscribe: <https://sotong.sd.go.kr/u/00123.AbCdEf0123456789>\r\n"
           b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
           b"MIME-Version: 1.0\r\n"
           b'Content-Type: multipart/alternative; boundary="==sotong=="\r\n')
BODY_BYTES = 34_000


def sample_email() -> bytes:
    """A bundled email's shape: CRLF lines, the signed headers, a 34 KB body in base64 lines of 76."""
    text = base64.b64encode(os.urandom(BODY_BYTES * 3 // 4)).decode()
    lines = [text[i:i + 76] for i in range(0, len(text), 76)]
    return HEADERS + b"\r\n" + "\r\n".join(lines).encode() + b"\r\n"


def make_keys(folder: Path) -> dict[str, Path]:
    import nacl.signing

    rsa = folder / "rsa.key"
    subprocess.run(["openssl", "genrsa", "-out", str(rsa), "2048"], check=True, capture_output=True)
    ed25519 = folder / "ed25519.key"
    ed25519.write_bytes(base64.b64encode(bytes(nacl.signing.SigningKey.generate())))
    return {"rsa": rsa, "ed25519": ed25519}


def signer(key: Path, folder: Path):
    """The signature `sotong send` puts on each email, with ``key``: the
    delivery plugin's answer to sotong.signals.message_signers."""
    from delivery.dkim_signing import dkim_signer
    from sotong.mail import MessageContext

    settings = {"DKIM_DOMAIN": "sd.go.kr", "DKIM_SELECTOR": "sotong2026", "DKIM_KEY_PATH": str(key),
                "OUTPUT_PATH": str(folder / "output")}
    return dkim_signer(MessageContext(settings, None, None, None, [], ""))


def ms_each(work, count: int) -> float:
    """CPU milliseconds of one call of ``work``, over ``count`` calls."""
    started = time.process_time()
    for _ in range(count):
        work()
    return (time.process_time() - started) * 1000 / count


def rounds(work: dict, count: int, pairs: int) -> dict[str, list[float]]:
    """Each of ``work``'s calls measured in ``pairs`` rounds, one after another in each."""
    figures: dict[str, list[float]] = {name: [] for name in work}
    for _round in range(pairs):
        for name, call in work.items():
            figures[name].append(ms_each(call, count))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200, help="signatures a round")
    add_pairs_option(parser)
    options = parser.parse_args()
    from dkim.crypto import RSASSA_PKCS1_v1_5_sign, parse_pem_private_key
    from delivery.dkim_signing import read_key

    email = sample_email()
    with measuring("a DKIM signature of a bundled email"), tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        keys = make_keys(folder)
        sign_rsa, sign_ed25519 = signer(keys["rsa"], folder), signer(keys["ed25519"], folder)
        pem = read_key(keys["rsa"])
        parsed, digest = parse_pem_private_key(pem), hashlib.sha256(email)
        figures = rounds({
            "RSA-2048 signature": lambda: sign_rsa(email),
            "  its key read from PEM": lambda: parse_pem_private_key(pem),
            "  its RSA operation": lambda: RSASSA_PKCS1_v1_5_sign(digest, parsed),
            "Ed25519 signature": lambda: sign_ed25519(email),
        }, options.count, options.pairs)
        print(f"{len(email):,}-byte email, {options.pairs} rounds of {options.count} signatures, CPU ms:")
        for name, values in figures.items():
            rate = "" if name.startswith(" ") else f", at most {1000 / statistics.median(values):,.0f} emails/s"
            print(f"  {name}: {spread(values, 3)} ms{rate}")
        whole = statistics.median(figures["RSA-2048 signature"])
        for part in ("  its key read from PEM", "  its RSA operation"):
            print(f"{part.strip()}: {statistics.median(figures[part]) / whole:.0%} of an RSA signature")


if __name__ == "__main__":
    main()

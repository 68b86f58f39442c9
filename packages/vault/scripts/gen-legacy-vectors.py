#!/usr/bin/python3
"""Known-answer vectors for the earlier implementation's blob layout.

Layout: nonce(12) || ciphertext || tag(16), AES-256-GCM under the raw 32-byte key, no associated
data. Produced with the `cryptography` package's AESGCM (pyca/cryptography, the library the
earlier Python implementation would have used), run by Debian's /usr/bin/python3:

    /usr/bin/python3 packages/vault/scripts/gen-legacy-vectors.py > packages/vault/test/fixtures/legacy-vectors.json

Keys, nonces and plaintexts are fixed, obviously fake test values, so the output is deterministic.
"""
import json
import sys

import cryptography
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

CASES = [
    ("ascii-value", bytes(range(32)), bytes.fromhex("000102030405060708090a0b"),
     b"legacy test value, not a real secret"),
    ("empty-plaintext", bytes(range(32, 64)), bytes.fromhex("f0e0d0c0b0a0908070605040"), b""),
    ("multi-block-utf8", bytes([0xA5] * 32), bytes.fromhex("cafebabefacedbaddecaf888"),
     "fake-token-\u00e9\u00e8\u4e2d\u6587-1234567890-abcdefghijklmnopqrstuvwxyz".encode("utf-8")),
]

vectors = []
for name, key, nonce, plaintext in CASES:
    blob = nonce + AESGCM(key).encrypt(nonce, plaintext, None)
    vectors.append({
        "name": name,
        "keyHex": key.hex(),
        "nonceHex": nonce.hex(),
        "plaintextHex": plaintext.hex(),
        "blobHex": blob.hex(),
    })

json.dump({
    "producedBy": (
        "packages/vault/scripts/gen-legacy-vectors.py, Debian /usr/bin/python3 "
        f"{sys.version.split()[0]}, cryptography {cryptography.__version__} "
        "(AESGCM(key).encrypt(nonce, plaintext, None), blob = nonce + result)"
    ),
    "layout": "nonce(12) || ciphertext || tag(16), AES-256-GCM, raw 32-byte key, no AAD",
    "vectors": vectors,
}, sys.stdout, indent=2)
sys.stdout.write("\n")

"""Cognito's sign-in with SRP, checked as Cognito checks it: the server's side of the
``USER_SRP_AUTH`` flow and its ``PASSWORD_VERIFIER`` challenge.

moto answers ``InitiateAuth`` with a random ``SRP_B`` and ``SALT`` and accepts any
``PASSWORD_CLAIM_SIGNATURE``: a wrong password signs in. Here the server's values are made
from the user's password (moto keeps it), and the client's proof is checked before moto
answers. The protocol is SRP-6a (RFC 5054's 3072-bit group, ``g = 2``, SHA-256) as Cognito's
clients speak it (Amplify, amazon-cognito-identity-js, pycognito; the unit tests sign in
with pycognito, written apart from this module):

- ``k = H(pad(N) | pad(g))``, ``x = H(pad(salt) | H(pool name | user id | ":" | password))``
  (the pool name is the part of the pool id after ``_``; the user id is ``USER_ID_FOR_SRP``),
  the verifier ``v = g^x``, the server's ``B = k*v + g^b``;
- ``u = H(pad(A) | pad(B))``, the shared ``S = (A * v^u)^b``, the key
  ``K = HKDF-SHA256(ikm = pad(S), salt = pad(u), info = "Caldera Derived Key")[:16]``;
- the client's proof is ``base64(HMAC-SHA256(K, pool name | user id | secret block |
  timestamp))``, the secret block being the bytes of the base64 ``SECRET_BLOCK``.

``pad`` is the big-endian hex of a number, with a leading ``00`` when its first nibble has the
high bit set (so it reads as positive). Each challenge is answered once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass

_N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
    "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B"
    "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA4836"
    "1C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804"
    "F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6"
    "955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64"
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D226"
    "1AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(_N_HEX, 16)
G = 2


def pad(number: int) -> str:
    text = format(number, "x")
    if len(text) % 2:
        text = "0" + text
    elif text[0] in "89abcdef":
        text = "00" + text
    return text


def _hex_hash(hex_text: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest()


K_MULTIPLIER = int(_hex_hash(pad(N) + pad(G)), 16)


def _x(salt_hex: str, pool_name: str, user_id: str, password: str) -> int:
    inner = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    return int(_hex_hash(pad(int(salt_hex, 16)) + inner), 16)


def _hkdf(ikm: bytes, salt: bytes) -> bytes:
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]


@dataclass(frozen=True)
class Challenge:
    """The server's half of one ``PASSWORD_VERIFIER`` challenge."""

    pool_name: str
    user_id: str
    salt_hex: str
    verifier: int
    big_a: int
    small_b: int
    big_b: int

    def expected_signature(self, secret_block: bytes, timestamp: str) -> str:
        u = int(_hex_hash(pad(self.big_a) + pad(self.big_b)), 16)
        shared = pow(self.big_a * pow(self.verifier, u, N), self.small_b, N)
        key = _hkdf(bytes.fromhex(pad(shared)), bytes.fromhex(pad(u)))
        message = self.pool_name.encode() + self.user_id.encode() + secret_block
        message += timestamp.encode()
        return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def new_challenge(pool_id: str, user_id: str, password: str, srp_a_hex: str) -> Challenge:
    """The server's values for a client's ``SRP_A``; ValueError when ``A`` is not valid
    (``A mod N == 0`` is refused, as SRP requires)."""
    big_a = int(srp_a_hex, 16)
    if big_a % N == 0:
        raise ValueError("SRP_A is not valid")
    pool_name = pool_id.split("_", 1)[1]
    salt_hex = secrets.token_hex(16)
    verifier = pow(G, _x(salt_hex, pool_name, user_id, password), N)
    small_b = secrets.randbelow(N - 2) + 1
    big_b = (K_MULTIPLIER * verifier + pow(G, small_b, N)) % N
    return Challenge(pool_name, user_id, salt_hex, verifier, big_a, small_b, big_b)


class Challenges:
    """Open challenges by secret block; each is taken once (thread-safe: the local AWS answers
    on its own threads)."""

    def __init__(self) -> None:
        self._open: dict[str, Challenge] = {}
        self._lock = threading.Lock()

    def put(self, secret_block: str, challenge: Challenge) -> None:
        with self._lock:
            self._open[secret_block] = challenge

    def take(self, secret_block: str) -> Challenge | None:
        with self._lock:
            return self._open.pop(secret_block, None)

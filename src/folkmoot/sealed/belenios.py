"""Sealed ballots in the Belenios 2.0 format (issue 16, first brick), so that Belenios's own
verifier (`belenios-tool election verify`, Debian's package 2.0) checks our elections.

Pure Python, no Django: the numbers are Python ints and `pow`, the hashes `hashlib`. The
references "§…" are to the sections of Belenios 2.0's doc/specification.tex (tag 2.0 of
github.com/glondu/belenios); where the specification is silent, the behaviour was read from
the OCaml sources of the same tag (file named in the comment) and checked against the tool.

What is here:
- the group RFC-3526-2048 (§"Group parameters"), the only one that can carry a grade vector;
- a voter's credential and the pair (secret exponent, public credential) derived from it
  (§"Credentials");
- a ballot for NonHomomorphic questions: the grade vector packed into one group element
  (§"Non-homomorphic answers"), ElGamal-encrypted under the election key with its Schnorr
  proof, signed with the credential (§"Signatures"), as canonical compact JSON (§"Ballots");
- `check_ballot`: what the server must check before accepting a ballot, since
  `belenios-tool archive add-event` appends anything and only `verify` would object later.

Homomorphic questions (0/1 choices with interval proofs, §"Homomorphic answers") are not
supported: a Folkmoot sealed vote is one NonHomomorphic question per vote, whose decrypted
grade vectors the existing tally counts (STAR, approval, choice)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import gmpy2

# §"RFC-3526-2048": the 2048-bit MODP group of RFC 3526 (group 14), p = 2q + 1 with q prime,
# g = 2, computing in the subgroup of order q (the quadratic residues). Belenios uses it, and
# not BELENIOS-2048, whenever an election has a non-homomorphic question, because in a safe
# prime group about half of all integers are members, so a packed vector plus a small
# padding lands on a member quickly (`group_encode` below).
GROUP = "RFC-3526-2048"
P = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E"
    "3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF"
    "5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D3"
    "9A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08"
    "CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF69558171839"
    "95497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF",
    16,
)
Q = (P - 1) // 2
G = 2
# §"RFC-3526-2048", "its embedding field": each grade takes 8 bits, and 8 bits of padding
# leave room to reach a group member. A grade is therefore 0..255; Belenios silently keeps the
# low 8 bits of a larger one (Group_field.of_ints, `land mask_per_int`), we refuse it instead.
BITS_PER_INT = 8
PADDING = 8
MAX_GRADE = (1 << BITS_PER_INT) - 1

# §"Basic types" and §"Credentials": Base58, without 0, O, I and l.
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_DECIMAL = re.compile(r"0|[1-9][0-9]*")  # §"Basic types": big integers in base 10, as strings
_UUID = re.compile(f"[{BASE58}]{{14,}}")


# --- Numbers and hashes ------------------------------------------------------------------


def _pow(base: int, exponent: int, modulus: int) -> int:
    """Modular exponentiation with GMP (gmpy2): the 2048-bit exponentiations are nearly all
    of a ballot's cost, and GMP does them about six times faster than Python's `pow` here,
    which sets how many sealed ballots per second one server can check."""
    return int(gmpy2.powmod(base, exponent, modulus))


def is_member(x: int) -> bool:
    """Whether `x` is in the group: 0 < x < p and x^q = 1, i.e. x is a quadratic residue
    (Euler's criterion). Belenios checks exactly this on every group element it reads
    (G.check in src/lib/core/group_field.ml); without it a ballot could carry an element of
    the other coset, outside the group the proofs are about.

    Computed as the Legendre symbol (x/p) = 1 (GMP's Jacobi symbol, which for the prime p is
    the Legendre symbol) instead of x^q mod p: the same answer, about a hundred times faster,
    and a ballot needs three."""
    return 0 < x < P and gmpy2.jacobi(x, P) == 1


def _in_zq(x: int) -> bool:
    # Challenges and responses must be reduced modulo q (check_modulo in the same file),
    # otherwise the same proof has several spellings and a ballot several trackers.
    return 0 <= x < Q


def _hash_to_zq(prefix: str, *elements: int) -> int:
    """SHA-256 of `prefix` followed by the elements in base 10 separated by commas, read as
    a 256-bit big-endian number, modulo q (every Fiat–Shamir challenge of §"Messages" is
    this; Group_field.hash). The prefix carries the statement: "raweg|S|y,α,β|" or
    "sig|H|"."""
    text = prefix + ",".join(str(e) for e in elements)
    return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big") % Q


def b64_sha256(text: str) -> str:
    """§"Ballots", Hash_JSON: Base64 of SHA-256, without padding. The election's fingerprint,
    the hash a ballot's signature covers and the ballot's tracker are all this."""
    digest = hashlib.sha256(text.encode()).digest()
    return base64.b64encode(digest).decode().rstrip("=")


# --- Elections ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Election:
    """The parts of an election.json (§"Elections") that ballots depend on. `raw` is the text
    exactly as published: the fingerprint is a hash of those bytes, so the election must be
    served as one fixed string and never re-serialized (§"Elections": "serialized as a string
    which must be always the same throughout the election")."""

    raw: str
    uuid: str
    public_key: int
    questions: tuple[tuple[str, ...], ...]  # the answers (candidates) of each question

    @property
    def fingerprint(self) -> str:
        return b64_sha256(self.raw)

    @classmethod
    def from_json(cls, raw: str) -> Election:
        # belenios-tool writes election.json with a final newline, but the archive stores the
        # line without it and the fingerprint is of the line (checked against the tool: the
        # ballots it makes carry the hash of the text without the newline).
        raw = raw.removesuffix("\n")
        data = json.loads(raw)
        if data.get("version") != 1:
            raise ValueError("only version 1 of the election format (Belenios 2.0) is known")
        if data.get("group") != GROUP:
            raise ValueError(f"sealed votes use the group {GROUP}")
        uuid = data["uuid"]
        if not isinstance(uuid, str) or not _UUID.fullmatch(uuid):
            raise ValueError("the uuid must be at least 14 Base58 characters (§Basic types)")
        public_key = _parse_int(data["public_key"])
        if public_key is None or not is_member(public_key) or public_key == 1:
            raise ValueError("the election public key is not a group element")
        questions = []
        for question in data["questions"]:
            # §"Questions": a non-homomorphic question is {"type":"NonHomomorphic","value":…}.
            if not (isinstance(question, dict) and question.get("type") == "NonHomomorphic"):
                raise ValueError("only NonHomomorphic questions are supported")
            questions.append(tuple(question["value"]["answers"]))
        return cls(raw=raw, uuid=uuid, public_key=public_key, questions=tuple(questions))


# --- Credentials -------------------------------------------------------------------------


def new_uuid() -> str:
    """An election uuid as `belenios-tool setup generate-token` makes them: 14 Base58
    characters (§"Basic types"), about 82 bits, drawn before the election exists so that
    voters' keys can be derived for it while the guardians make the election's key."""
    return "".join(secrets.choice(BASE58) for _ in range(14))


def credential_checksum_ok(credential: str) -> bool:
    """§"Credentials": 15 Base58 characters (or the same in groups of three separated by
    dashes); the first 14 read as a big-endian base-58 number n, the last is 53 − n mod 53. The
    checksum only catches typing errors; it is no part of the secret."""
    plain = credential.replace("-", "") if len(credential) == 19 else credential
    if len(credential) == 19 and credential[3::4] != "----":
        return False
    if len(plain) != 15 or any(c not in BASE58 for c in plain):
        return False
    n = 0
    for c in plain[:14]:
        n = n * 58 + BASE58.index(c)
    return (n + BASE58.index(plain[14])) % 53 == 0


def new_credential() -> str:
    """A fresh secret credential as Belenios prints them, XXX-XXX-XXX-XXX-XXX (Credential.
    generate in src/lib/core/credential.ml): 14 random Base58 digits and the checksum."""
    digits = [secrets.randbelow(58) for _ in range(14)]
    n = 0
    for d in digits:
        n = n * 58 + d
    # The checksum is 53 − (n mod 53), which is 53 itself when n mod 53 = 0, as in Belenios.
    plain = "".join(BASE58[d] for d in digits) + BASE58[53 - n % 53]
    return "-".join(plain[i : i + 3] for i in range(0, 15, 3))


def derive_credential(credential: str, uuid: str) -> tuple[int, int]:
    """(s, g^s): the credential's secret exponent and its public credential (§"Credentials").

    s = PBKDF2-HMAC-SHA256(password = the credential exactly as written, dashes included;
    salt = the election's uuid; 1000 iterations; one 32-byte block) read big-endian, mod q.
    The salt makes the same credential worthless in another election. The credential is not
    normalized: Belenios derives from the string as given (checked against `belenios-tool
    setup generate-credentials --derive`)."""
    block = hashlib.pbkdf2_hmac("sha256", credential.encode(), uuid.encode(), 1000, 32)
    secret = int.from_bytes(block, "big") % Q
    return secret, _pow(G, secret, P)


def parse_public_credentials(lines: Iterable[str]) -> dict[int, int]:
    """The published public credentials (§"Credentials"): each entry is a public credential,
    or one followed by a comma and its weight. Returns {credential: weight}.

    The file `belenios-tool setup generate-credentials` writes (T.pubcreds) has a third field,
    "credential,weight,id" with an empty weight when unweighted ("…,,3"); `archive init`
    strips it (strip_cred in src/lib/core/common.ml) and the archive publishes the short form.
    Both are read here, as Belenios does."""
    out: dict[int, int] = {}
    for line in lines:
        fields = line.split(",")
        if len(fields) > 3:
            raise ValueError("a public credential has at most three fields")
        number = _parse_int(fields[0])
        if number is None:
            raise ValueError("a public credential is not a decimal number")
        weight = fields[1] if len(fields) > 1 else ""
        out[number] = int(weight) if weight else 1
    return out


# --- Grade vectors -----------------------------------------------------------------------


def group_encode(grades: Sequence[int]) -> int:
    """§"Non-homomorphic answers", group_encode_{κ,p}: the grades as base-2^κ digits, shifted
    left by p bits, plus the smallest ε that makes the result a group member (Belenios tries
    ε = 0, 1, 2, … in order, Group_field.of_ints; we do the same, so the encoding of a vector
    is the one Belenios would make). About every second integer is a member, so ε is tiny;
    it cannot reach 2^p in practice (probability 2^-256), and we refuse rather than let it
    spill into the last grade."""
    value = 0
    for grade in grades:
        if not (isinstance(grade, int) and 0 <= grade <= MAX_GRADE):
            raise ValueError(f"a grade must be an integer from 0 to {MAX_GRADE}")
        value = (value << BITS_PER_INT) | grade
    value <<= PADDING
    for epsilon in range(1 << PADDING):
        if is_member(value + epsilon):
            return value + epsilon
    raise ValueError("no group element within the padding")  # pragma: no cover


def group_decode(element: int, count: int) -> list[int]:
    """The inverse of group_encode (Group_field.to_ints): drop the padding, read `count`
    digits of κ bits. What the tally receives after the trustees decrypt."""
    value = element >> PADDING
    mask = (1 << BITS_PER_INT) - 1
    grades = [(value >> (BITS_PER_INT * i)) & mask for i in range(count)]
    return grades[::-1]


# --- Ballots -----------------------------------------------------------------------------


def _canonical(ballot: dict[str, Any]) -> str:
    """Compact JSON with the fields in the order of the specification (§"Ballots": the hash
    for the signature is taken over "a JSON compact string, where object fields are ordered as
    specified in this document"). Ballots are built with that order, so plain `json.dumps`
    without spaces is the canonical form; every value in a ballot is ASCII."""
    return json.dumps(ballot, separators=(",", ":"), ensure_ascii=True)


def _answer(election: Election, prefix: str, grades: Sequence[int]) -> dict[str, Any]:
    """§"Non-homomorphic answers": (α, β) = (g^r, y^r·ξ) and a Schnorr proof of knowledge of r
    (A = g^w, challenge = H_raweg(S, y, α, β, A), response = w − r·challenge mod q), which ties
    the ciphertext to this voter and election through S and makes it non-malleable: nobody can
    re-encrypt somebody else's ciphertext and submit it as their own."""
    y = election.public_key
    xi = group_encode(grades)
    r = secrets.randbelow(Q)
    alpha, beta = _pow(G, r, P), _pow(y, r, P) * xi % P
    w = secrets.randbelow(Q)
    challenge = _hash_to_zq(f"raweg|{prefix}|{y},{alpha},{beta}|", _pow(G, w, P))
    response = (w - r * challenge) % Q
    return {
        "choices": {"alpha": str(alpha), "beta": str(beta)},
        "proof": {"challenge": str(challenge), "response": str(response)},
    }


def make_ballot(election: Election, credential: str, answers: Sequence[Sequence[int]]) -> str:
    """A ballot (§"Ballots") for `answers`, one grade vector per question, signed with the
    secret `credential`; the canonical JSON text, one line, no final newline.

    S (§"Encrypted answers") is the fingerprint, a bar and the public credential: the answer
    proofs are bound to both. The signature (§"Signatures") is a Schnorr signature by s over
    the Hash_JSON of the ballot without its `signature` field."""
    if len(answers) != len(election.questions):
        raise ValueError("one grade vector per question")
    for grades, candidates in zip(answers, election.questions, strict=True):
        if len(grades) != len(candidates):
            raise ValueError("one grade per answer of the question")
    secret, public = derive_credential(credential, election.uuid)
    prefix = f"{election.fingerprint}|{public}"
    ballot: dict[str, Any] = {
        "election_uuid": election.uuid,
        "election_hash": election.fingerprint,
        "credential": str(public),
        "answers": [_answer(election, prefix, grades) for grades in answers],
    }
    signed_hash = b64_sha256(_canonical(ballot))
    w = secrets.randbelow(Q)
    challenge = _hash_to_zq(f"sig|{signed_hash}|", _pow(G, w, P))
    response = (w - secret * challenge) % Q
    ballot["signature"] = {
        "hash": signed_hash,
        "proof": {"challenge": str(challenge), "response": str(response)},
    }
    return _canonical(ballot)


def tracker(ballot_json: str) -> str:
    """§"Ballots": the smart ballot tracker, Hash_JSON of the whole ballot, which the voter
    keeps and finds in the public ballot box."""
    return b64_sha256(ballot_json)


# --- Checking a ballot before accepting it -----------------------------------------------

# Reason codes of `check_ballot`. A ballot is accepted only when the list is empty.
MALFORMED = "malformed"  # not JSON, or not a ballot's shape: nothing else can be checked
NON_CANONICAL = "non_canonical"  # not the one compact spelling with fields in spec order
WRONG_UUID = "wrong_election_uuid"
WRONG_FINGERPRINT = "wrong_election_hash"
UNKNOWN_CREDENTIAL = "unknown_credential"
WEIGHTED_CREDENTIAL = "weighted_credential"  # §"Encrypted tally": NH ballots weigh 1
NOT_IN_GROUP = "not_in_group"  # credential, α or β outside the group
NOT_IN_ZQ = "proof_out_of_range"  # a challenge or response not reduced modulo q
WRONG_ANSWER_COUNT = "wrong_answer_count"
BAD_ANSWER_PROOF = "bad_answer_proof"
WRONG_SIGNED_HASH = "wrong_signed_hash"  # the signature covers something else
BAD_SIGNATURE = "bad_signature"


def _parse_int(value: object) -> int | None:
    # Python's int() also takes " 7", "+7", "0_7" and "٧"; the format has one spelling. No
    # number of the format has more than 617 digits (p < 2^2048); Python refuses to read
    # more than 4,300, so a longer string is refused here rather than raising.
    if isinstance(value, str) and len(value) <= 620 and _DECIMAL.fullmatch(value):
        return int(value)
    return None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two "credential" fields would let a reader and the verifier see different ballots.
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def _exact_keys(value: object, *keys: str) -> dict[str, Any]:
    """The object's fields, rebuilt in the specification's order (a different order is then
    caught as non-canonical). A missing or an extra field makes the ballot malformed: the
    signature would not cover what the reader sees."""
    if not isinstance(value, dict) or sorted(value) != sorted(keys):
        raise ValueError(f"expected an object with exactly the fields {keys}")
    return {key: value[key] for key in keys}


def _proof(value: object) -> tuple[int, int]:
    proof = _exact_keys(value, "challenge", "response")
    challenge, response = _parse_int(proof["challenge"]), _parse_int(proof["response"])
    if challenge is None or response is None:
        raise ValueError("a proof holds two decimal numbers")
    return challenge, response


def check_ballot(
    election: Election | str, public_credentials: Iterable[str], ballot_json: str
) -> list[str]:
    """Why the server must refuse `ballot_json` (reason codes above); empty when it is fine.

    These are the checks `belenios-tool election verify` makes on every ballot of an archive
    (Election.check_ballot and cast in src/lib/v1/election.ml): the ballot is canonical JSON,
    for this election (uuid and fingerprint), by a credential of the published list, every
    group element is in the group, the proof of every answer and the signature hold. The
    server must make them itself, because `belenios-tool archive add-event` appends any line
    and a bad ballot in the archive would make the whole election fail verification.

    Not checked here, for the caller: that the credential belongs to the voter casting (the
    server never knows, by design), and that a later ballot with the same credential replaces
    the earlier one (§"Tallied ballots": only the last ballot per credential is counted).
    There is no range proof in the format (§"Non-homomorphic answers"): a vector of grades
    outside the method's scale passes here and must be counted as spoiled after decryption."""
    if isinstance(election, str):
        election = Election.from_json(election)
    try:
        ballot = _exact_keys(
            json.loads(ballot_json, object_pairs_hook=_no_duplicate_keys),
            "election_uuid",
            "election_hash",
            "credential",
            "answers",
            "signature",
        )
        uuid, fingerprint = ballot["election_uuid"], ballot["election_hash"]
        credential = _parse_int(ballot["credential"])
        if not isinstance(uuid, str) or not isinstance(fingerprint, str) or credential is None:
            raise ValueError("uuid, hash and credential are strings")
        if not isinstance(ballot["answers"], list):
            raise ValueError("answers is a list")
        answers = []
        for index, item in enumerate(ballot["answers"]):
            answer = _exact_keys(item, "choices", "proof")
            choices = _exact_keys(answer["choices"], "alpha", "beta")
            alpha, beta = _parse_int(choices["alpha"]), _parse_int(choices["beta"])
            if alpha is None or beta is None:
                raise ValueError("a ciphertext holds two decimal numbers")
            answers.append((alpha, beta, _proof(answer["proof"])))
            answer["choices"] = choices
            answer["proof"] = _exact_keys(answer["proof"], "challenge", "response")
            ballot["answers"][index] = answer
        signature = _exact_keys(ballot["signature"], "hash", "proof")
        signature["proof"] = _exact_keys(signature["proof"], "challenge", "response")
        ballot["signature"] = signature
        signed_hash = signature["hash"]
        if not isinstance(signed_hash, str):
            raise ValueError("the signed hash is a string")
        sig_challenge, sig_response = _proof(signature["proof"])
    except (ValueError, KeyError, TypeError, RecursionError):
        return [MALFORMED]

    reasons = []
    # One spelling only, the one the tracker is computed on (Belenios's cast refuses a ballot
    # that does not re-serialize to the same bytes, `NonCanonical`).
    if _canonical(ballot) != ballot_json:
        reasons.append(NON_CANONICAL)
    if uuid != election.uuid:
        reasons.append(WRONG_UUID)
    if fingerprint != election.fingerprint:
        reasons.append(WRONG_FINGERPRINT)
    weights = parse_public_credentials(public_credentials)
    if credential not in weights:
        reasons.append(UNKNOWN_CREDENTIAL)
    elif weights[credential] != 1:
        reasons.append(WEIGHTED_CREDENTIAL)
    if len(answers) != len(election.questions):
        reasons.append(WRONG_ANSWER_COUNT)

    # Cheap checks first: the group membership tests cost one exponentiation each.
    numbers = [sig_challenge, sig_response]
    for _alpha, _beta, proof in answers:
        numbers.extend(proof)
    if not all(_in_zq(n) for n in numbers):
        reasons.append(NOT_IN_ZQ)
    elements = [credential] + [e for alpha, beta, _ in answers for e in (alpha, beta)]
    if not all(is_member(e) for e in elements):
        reasons.append(NOT_IN_GROUP)
    if reasons:
        # Proofs over elements outside the group, or for another election, prove nothing;
        # no need to spend the exponentiations.
        return reasons

    # §"Non-homomorphic answers", verification: A = g^response · α^challenge, and the
    # challenge must be H_raweg(S, y, α, β, A) with S = fingerprint|credential.
    y = election.public_key
    prefix = f"{election.fingerprint}|{credential}"
    for alpha, beta, (challenge, response) in answers:
        commitment = _pow(G, response, P) * _pow(alpha, challenge, P) % P
        if challenge != _hash_to_zq(f"raweg|{prefix}|{y},{alpha},{beta}|", commitment):
            reasons.append(BAD_ANSWER_PROOF)
            break

    # §"Signatures": the signed hash is that of the ballot without its signature, and
    # A = g^response · credential^challenge gives back the challenge.
    unsigned = {key: value for key, value in ballot.items() if key != "signature"}
    if signed_hash != b64_sha256(_canonical(unsigned)):
        reasons.append(WRONG_SIGNED_HASH)
    commitment = _pow(G, sig_response, P) * _pow(credential, sig_challenge, P) % P
    if sig_challenge != _hash_to_zq(f"sig|{signed_hash}|", commitment):
        reasons.append(BAD_SIGNATURE)
    return reasons

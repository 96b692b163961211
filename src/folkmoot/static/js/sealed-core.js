// Sealed ballots in the Belenios 2.0 format, made in the voter's browser (issue 16): the
// grade vector is encrypted here, so the server only ever sees the ciphertext. A port of
// folkmoot/sealed/belenios.py, which is the reference (same numbers, same JSON, same hashes):
// its tests check that Python's check_ballot and belenios-tool accept what this file makes.
//
// No DOM: it runs in browsers and in Node 20 (tests/sealed/test_sealed_js.py). A classic
// script, because pages load it with a plain <script defer> under script-src 'self'.
// No BigInt literals (0n): an engine without BigInt must still parse the file, so that the
// page can say the browser is unsupported (`supported()`) instead of failing silently.
(function () {
  "use strict";

  const HAS_BIGINT = typeof BigInt === "function";
  const big = HAS_BIGINT ? BigInt : null;

  // RFC 3526 group 14 (Belenios's "RFC-3526-2048"): p = 2q + 1, g = 2, the subgroup of order q.
  const GROUP = "RFC-3526-2048";
  const P_HEX =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E" +
    "3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF" +
    "5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D3" +
    "9A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08" +
    "CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF69558171839" +
    "95497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF";
  const ZERO = HAS_BIGINT ? big(0) : null;
  const ONE = HAS_BIGINT ? big(1) : null;
  const TWO = HAS_BIGINT ? big(2) : null;
  const P = HAS_BIGINT ? big("0x" + P_HEX) : null;
  const Q = HAS_BIGINT ? (P - ONE) / TWO : null;
  const G = TWO;
  const BITS_PER_INT = 8; // each grade is one base-256 digit, so 0..255
  const PADDING = 8; // room for the small ε that makes the packed vector a group member
  const MAX_GRADE = (1 << BITS_PER_INT) - 1;

  const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  const DECIMAL = /^(0|[1-9][0-9]*)$/;
  const UUID = /^[1-9A-HJ-NP-Za-km-z]{14,}$/; // at least 14 Base58 characters

  function supported() {
    const c = globalThis.crypto;
    return (
      HAS_BIGINT &&
      !!c &&
      !!c.subtle &&
      typeof c.getRandomValues === "function" &&
      typeof TextEncoder === "function"
    );
  }

  // --- Numbers ---------------------------------------------------------------------------

  // Square-and-multiply, one hexadecimal digit of the exponent at a time (a fixed 4-bit
  // window): 2048 squarings and at most 512 products for a 2048-bit exponent.
  function modPow(base, exponent, modulus) {
    const table = [ONE % modulus];
    base %= modulus;
    for (let i = 1; i < 16; i++) table.push((table[i - 1] * base) % modulus);
    const digits = exponent.toString(16);
    let result = ONE % modulus;
    for (let i = 0; i < digits.length; i++) {
      for (let k = 0; k < 4; k++) result = (result * result) % modulus;
      const d = parseInt(digits[i], 16);
      if (d) result = (result * table[d]) % modulus;
    }
    return result;
  }

  // The Jacobi symbol (a/n) for odd n > 0 (Legendre for the prime p): membership in the
  // subgroup of squares is (x/p) = 1, far cheaper than x^q mod p (same as the Python).
  const [THREE, FOUR, FIVE, EIGHT] = HAS_BIGINT ? [3, 4, 5, 8].map(big) : [];
  function jacobi(a, n) {
    a %= n;
    let result = 1;
    while (a !== ZERO) {
      let twos = 0;
      while ((a & ONE) === ZERO) {
        a >>= ONE;
        twos++;
      }
      const r8 = n % EIGHT;
      if (twos & 1 && (r8 === THREE || r8 === FIVE)) result = -result;
      const t = a;
      a = n;
      n = t;
      if (a % FOUR === THREE && n % FOUR === THREE) result = -result;
      a %= n;
    }
    return n === ONE ? result : 0;
  }

  function isMember(x) {
    return x > ZERO && x < P && jacobi(x, P) === 1;
  }

  function randomBytes(count) {
    const bytes = new Uint8Array(count);
    globalThis.crypto.getRandomValues(bytes);
    return bytes;
  }

  function bytesToBig(bytes) {
    let hex = "";
    for (let i = 0; i < bytes.length; i++) hex += bytes[i].toString(16).padStart(2, "0");
    return big("0x" + (hex || "0"));
  }

  // Uniform in [0, q): q is just below 2^2047, so drawing 2047 bits and retrying the rare
  // draw ≥ q is exact and almost never loops.
  function randomBelowQ() {
    for (;;) {
      const bytes = randomBytes(256);
      bytes[0] &= 0x7f;
      const x = bytesToBig(bytes);
      if (x < Q) return x;
    }
  }

  // --- Hashes ----------------------------------------------------------------------------

  function utf8(text) {
    return new TextEncoder().encode(text);
  }

  async function sha256(text) {
    return new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", utf8(text)));
  }

  // Hash_JSON: Base64 of SHA-256 without padding (fingerprint, signed hash, tracker).
  async function b64Sha256(text) {
    const digest = await sha256(text);
    let binary = "";
    for (let i = 0; i < digest.length; i++) binary += String.fromCharCode(digest[i]);
    return btoa(binary).replace(/=+$/, "");
  }

  // Every Fiat–Shamir challenge: SHA-256 of the prefix and the decimal elements joined by
  // commas, big-endian, mod q.
  async function hashToZq(prefix, elements) {
    const text = prefix + elements.map(String).join(",");
    return bytesToBig(await sha256(text)) % Q;
  }

  // --- Credentials -----------------------------------------------------------------------

  // 15 Base58 characters (or XXX-XXX-XXX-XXX-XXX); the last makes the number they spell
  // a multiple of 53. Only a guard against typing errors.
  function credentialChecksumOk(credential) {
    if (typeof credential !== "string") return false;
    let plain = credential;
    if (credential.length === 19) {
      for (let i = 3; i < 19; i += 4) if (credential[i] !== "-") return false;
      plain = credential.replace(/-/g, "");
    }
    if (plain.length !== 15) return false;
    let n = 0; // only n mod 53 matters, which keeps it a small Number
    for (let i = 0; i < 15; i++) {
      const d = BASE58.indexOf(plain[i]);
      if (d < 0) return false;
      n = i < 14 ? (n * 58 + d) % 53 : (n + d) % 53;
    }
    return n === 0;
  }

  function randomBase58Digit() {
    // 232 = 4 × 58: bytes from 232 up would favour the first digits, so they are redrawn.
    for (;;) {
      const b = randomBytes(1)[0];
      if (b < 232) return b % 58;
    }
  }

  // Fourteen random Base58 digits and the checksum, in groups of three as Belenios prints.
  function newCredential() {
    let n = 0;
    let plain = "";
    for (let i = 0; i < 14; i++) {
      const d = randomBase58Digit();
      n = (n * 58 + d) % 53;
      plain += BASE58[d];
    }
    plain += BASE58[53 - n]; // 53 − (n mod 53), which is 53 itself when n mod 53 = 0
    return plain.match(/.../g).join("-");
  }

  function checkCredential(credential) {
    if (!credentialChecksumOk(credential)) {
      throw new Error("the credential is mistyped: its checksum does not match");
    }
  }

  // (s, g^s): PBKDF2-HMAC-SHA256 of the credential as written (dashes included), salted with
  // the election's uuid (so a credential is worthless elsewhere), 1000 iterations, mod q.
  async function deriveCredential(credential, uuid) {
    checkCredential(credential);
    if (typeof uuid !== "string" || !UUID.test(uuid)) {
      throw new Error("the election uuid must be at least 14 Base58 characters");
    }
    const subtle = globalThis.crypto.subtle;
    const key = await subtle.importKey("raw", utf8(credential), "PBKDF2", false, [
      "deriveBits",
    ]);
    const bits = await subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt: utf8(uuid), iterations: 1000 },
      key,
      256
    );
    const secret = bytesToBig(new Uint8Array(bits)) % Q;
    return { secret: secret, public: modPow(G, secret, P) };
  }

  async function derivePublicCredential(credential, uuid) {
    return (await deriveCredential(credential, uuid)).public.toString();
  }

  // --- Elections -------------------------------------------------------------------------

  function parseDecimal(value) {
    return typeof value === "string" && DECIMAL.test(value) ? big(value) : null;
  }

  // The parts of election.json a ballot depends on. The fingerprint is over the text as
  // published, so it is never re-serialized; one final newline is dropped, as the archive
  // stores the line without it.
  async function readElection(text) {
    if (typeof text !== "string") throw new Error("the election must be given as its JSON text");
    const raw = text.endsWith("\n") ? text.slice(0, -1) : text;
    const data = JSON.parse(raw);
    if (!data || data.version !== 1) {
      throw new Error("only version 1 of the election format (Belenios 2.0) is known");
    }
    if (data.group !== GROUP) throw new Error("sealed votes use the group " + GROUP);
    if (typeof data.uuid !== "string" || !UUID.test(data.uuid)) {
      throw new Error("the election uuid must be at least 14 Base58 characters");
    }
    const publicKey = parseDecimal(data.public_key);
    if (publicKey === null || !isMember(publicKey) || publicKey === ONE) {
      throw new Error("the election public key is not a group element");
    }
    if (!Array.isArray(data.questions)) throw new Error("the election has no questions");
    const questions = data.questions.map(function (question) {
      if (!question || question.type !== "NonHomomorphic") {
        throw new Error("only NonHomomorphic questions are supported");
      }
      return question.value.answers;
    });
    return {
      uuid: data.uuid,
      publicKey: publicKey,
      questions: questions,
      fingerprint: await b64Sha256(raw),
    };
  }

  // --- Ballots ---------------------------------------------------------------------------

  // The grades as base-256 digits, shifted by the padding, plus the smallest ε that lands
  // in the group: the encoding Belenios itself would make.
  function groupEncode(grades) {
    let value = ZERO;
    grades.forEach(function (grade, i) {
      if (!Number.isInteger(grade) || grade < 0 || grade > MAX_GRADE) {
        throw new Error(
          "grade " + String(grade) + " at position " + i + " is not an integer from 0 to " +
            MAX_GRADE
        );
      }
      value = (value << big(BITS_PER_INT)) | big(grade);
    });
    value <<= big(PADDING);
    for (let epsilon = 0; epsilon < 1 << PADDING; epsilon++) {
      const candidate = value + big(epsilon);
      if (isMember(candidate)) return candidate;
    }
    throw new Error("no group element within the padding");
  }

  // ElGamal (g^r, y^r·ξ) and a Schnorr proof of knowledge of r whose challenge covers S
  // (fingerprint|credential): nobody can pass off another voter's ciphertext as theirs.
  async function sealAnswer(election, prefix, grades) {
    const y = election.publicKey;
    const xi = groupEncode(grades);
    const r = randomBelowQ();
    const alpha = modPow(G, r, P);
    const beta = (modPow(y, r, P) * xi) % P;
    const w = randomBelowQ();
    const challenge = await hashToZq("raweg|" + prefix + "|" + y + "," + alpha + "," + beta + "|", [
      modPow(G, w, P),
    ]);
    const response = (((w - r * challenge) % Q) + Q) % Q;
    return {
      choices: { alpha: alpha.toString(), beta: beta.toString() },
      proof: { challenge: challenge.toString(), response: response.toString() },
    };
  }

  // The canonical ballot: compact JSON with the fields in the specification's order (the
  // objects below are built in that order, and JSON.stringify keeps it), signed with s.
  async function makeBallot(electionText, credential, answers) {
    checkCredential(credential);
    const election = await readElection(electionText);
    if (!Array.isArray(answers) || answers.length !== election.questions.length) {
      throw new Error(
        "expected " + election.questions.length + " grade vector(s), one per question"
      );
    }
    answers.forEach(function (grades, i) {
      const width = election.questions[i].length;
      if (!Array.isArray(grades) || grades.length !== width) {
        throw new Error("question " + i + " takes exactly " + width + " grades");
      }
      groupEncode(grades); // refuse a bad grade before the slow part
    });
    const cred = await deriveCredential(credential, election.uuid);
    const prefix = election.fingerprint + "|" + cred.public;
    const sealed = [];
    for (const grades of answers) sealed.push(await sealAnswer(election, prefix, grades));
    const ballot = {
      election_uuid: election.uuid,
      election_hash: election.fingerprint,
      credential: cred.public.toString(),
      answers: sealed,
    };
    const signedHash = await b64Sha256(JSON.stringify(ballot));
    const w = randomBelowQ();
    const challenge = await hashToZq("sig|" + signedHash + "|", [modPow(G, w, P)]);
    const response = (((w - cred.secret * challenge) % Q) + Q) % Q;
    ballot.signature = {
      hash: signedHash,
      proof: { challenge: challenge.toString(), response: response.toString() },
    };
    return JSON.stringify(ballot);
  }

  // The smart ballot tracker: Hash_JSON of the ballot exactly as cast.
  async function tracker(ballotText) {
    return b64Sha256(ballotText);
  }

  const api = {
    supported: supported,
    newCredential: newCredential,
    credentialChecksumOk: credentialChecksumOk,
    derivePublicCredential: derivePublicCredential,
    makeBallot: makeBallot,
    tracker: tracker,
    MAX_GRADE: MAX_GRADE,
  };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  globalThis.FolkmootSealed = api;
})();

/**
 * Keeping secrets out of every message: by field (a value under a secret key, or given where an
 * object holding one is expected) and by shape (PEM material, AWS secret access keys, long random
 * tokens), whatever key they were put under.
 */
import { SECRET_FIELD } from "./primitives";

/**
 * Fields next to credentials, where a secret is often pasted by mistake (a password in a user
 * name, the secret key in the access key id): a value they refuse is not echoed either.
 */
export const CREDENTIAL_FIELD = /^(adminUser|users|username|sshUser|accessKeyId|sshPublicKey)$/;

const PEM_ANY = /-----BEGIN [A-Z0-9 ]+-----/;
const PEM_PRIVATE = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?(?:-----END \1-----|$)/g;
/** An AWS secret access key: 40 characters of base64 without padding. */
const AWS_SECRET = /^[A-Za-z0-9/+]{40}$/;
const AWS_SECRET_IN = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
/** A run of token characters long enough to be a key, a password or a token. */
const TOKEN_IN = /[A-Za-z0-9+/=_-]{24,}/g;

function mixed(s: string): boolean {
  return /[a-z]/.test(s) && /[A-Z]/.test(s) && /[0-9]/.test(s);
}

/** What a string looks like when it looks like a secret: a private key, a certificate... */
export function secretShape(value: string): string | undefined {
  if (PEM_PRIVATE.test(value)) return "a PEM private key";
  if (PEM_ANY.test(value)) return "PEM material (a certificate or key)";
  if (AWS_SECRET.test(value) && mixed(value)) return "an AWS secret access key";
  for (const m of value.matchAll(TOKEN_IN)) if (mixed(m[0])) return "a long random token";
  return undefined;
}

/** A value that must not appear in a message, found anywhere in `value` (strings, maps, lists). */
export function containsSecretShape(value: unknown): boolean {
  if (typeof value === "string") return secretShape(value) !== undefined;
  if (Array.isArray(value)) return value.some(containsSecretShape);
  if (value && typeof value === "object") {
    return Object.entries(value).some(
      ([k, v]) => SECRET_FIELD.test(k) || containsSecretShape(k) || containsSecretShape(v),
    );
  }
  return false;
}

/** `[hidden]` in place of every known secret and every secret-shaped run of `text`. */
export function redactText(text: string, known: readonly string[] = []): string {
  let out = text;
  for (const secret of [...known].sort((a, b) => b.length - a.length)) {
    if (!secret) continue;
    out = out.split(JSON.stringify(secret)).join('"[hidden]"');
    // Short values are hidden where quoted only: a bare `1` would blank every digit.
    if (secret.length >= 4) out = out.split(secret).join("[hidden]");
  }
  out = out.replace(PEM_BLOCK, "[hidden PEM]");
  out = out.replace(AWS_SECRET_IN, (m) => (mixed(m) ? "[hidden]" : m));
  out = out.replace(TOKEN_IN, (m) => (mixed(m) ? "[hidden]" : m));
  return out;
}

/** Every scalar under `value`, as text. */
function leaves(value: unknown, out: string[]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) value.forEach((v) => leaves(v, out));
  else if (typeof value === "object") Object.values(value).forEach((v) => leaves(v, out));
  else out.push(String(value));
}

/**
 * The secret values of a raw configuration: everything under a secret key, and the scalar given
 * where `holdsSecret(path)` says an object with a secret key was expected (`users.bob: hunter2`).
 */
export function knownSecrets(
  raw: unknown,
  holdsSecret: (path: readonly PropertyKey[]) => boolean = () => false,
): string[] {
  const found: string[] = [];
  const walk = (value: unknown, path: PropertyKey[]) => {
    const last = path[path.length - 1];
    if (typeof last === "string" && SECRET_FIELD.test(last)) return leaves(value, found);
    if (value === null || value === undefined) return;
    if (typeof value !== "object") {
      if (path.length && holdsSecret(path)) found.push(String(value));
      return;
    }
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  walk(raw, []);
  return found.filter((s) => s.length > 0);
}

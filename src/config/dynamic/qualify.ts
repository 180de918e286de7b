/**
 * Element names across providers. Every dynamic element is known as `name@provider` once merged
 * (`whoami@docker`, `auth@file`, `api@internal`); a reference without `@` means the referencing element's
 * own provider, as in Traefik.
 */
export function qualify(name: string, provider: string): string {
  return `${name}@${provider}`;
}

/** Resolves a reference written inside `provider`'s configuration. */
export function resolveReference(reference: string, provider: string): string {
  return reference.includes('@') ? reference : qualify(reference, provider);
}

/** Splits `name@provider`; a name without `@` has an empty provider. */
export function splitQualified(qualified: string): { name: string; provider: string } {
  const at = qualified.lastIndexOf('@');
  return at === -1 ? { name: qualified, provider: '' } : { name: qualified.slice(0, at), provider: qualified.slice(at + 1) };
}

export function providerOf(qualified: string): string {
  return splitQualified(qualified).provider;
}

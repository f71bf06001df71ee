/** What every parser returns: the data it could read, and what it could not. Parsers never throw. */
export interface Parsed<T> {
  value: T;
  problems: string[];
}

/** Shortens attacker-controllable text before it goes into a problem message. */
export function excerpt(text: string, max = 80): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

// Command-line helpers shared by the commands.

/**
 * Whether a word that names no existing file still looks like a path to one (so that it gets "no such
 * file" rather than being read as a filter expression): a capture-like name or one with a "/", and
 * nothing a filter has and a path rarely does (spaces, comparison operators, parentheses).
 */
export function looksLikePath(word: string): boolean {
  if (/[\s=<>()!]/.test(word)) return false;
  return word.includes('/') || /\.(scap|gz|lz4|ndjson|json)$/.test(word);
}

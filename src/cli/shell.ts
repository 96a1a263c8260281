/**
 * Command lines to show the user, e.g. the one that resumes an interrupted run, quoted so that pasting
 * them into a POSIX shell runs exactly them.
 */

/** `word` as a POSIX shell reads it back: as is when safe, else in single quotes. */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `words` as one command line, each quoted as needed. */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}

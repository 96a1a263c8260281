/**
 * What a command writes to, and the error a command raises for bad usage: passed in rather than taken from
 * `process`, so tests run the commands in-process and read what they print.
 */
/** A place to write text, such as `process.stdout`. */
export interface Output {
  write(text: string): unknown;
  /** True when it is a terminal (where a live progress bar makes sense). */
  readonly isTTY?: boolean;
}

/** The streams a command writes to. */
export interface CliIo {
  /** Results: tables, metrics, predictions. */
  readonly stdout: Output;
  /** Errors, and the progress bars when it is a terminal. */
  readonly stderr: Output;
}

/** The real streams of the process. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr };
}

/**
 * A command was given something it cannot use (a missing file, an option that conflicts with a resumed
 * run…). `option` names the option or argument at fault, e.g. `'--data'`.
 */
export class CliError extends Error {
  /** The option or argument at fault, e.g. `'--data'`, or `''`. */
  readonly option: string;

  constructor(option: string, detail: string) {
    super(option === '' ? detail : `${option}: ${detail}`);
    this.name = 'CliError';
    this.option = option;
  }
}

/**
 * A command stopped early on purpose (a signal) after printing why and what to do next: the program
 * exits with `code` and prints nothing more.
 */
export class CliExit extends Error {
  constructor(
    /** The exit code, e.g. 130 after SIGINT. */
    readonly code: number,
  ) {
    super(`exit ${code}`);
    this.name = 'CliExit';
  }
}

/** Writes `text` and a newline. */
export function println(out: Output, text = ''): void {
  out.write(`${text}\n`);
}

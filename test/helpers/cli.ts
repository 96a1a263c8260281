/**
 * Runs the `convnet` command line in-process, as the CLI tests do, capturing what it prints.
 */
import { run } from '../../src/cli/program.js';

/** What one command printed, and its exit code. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `convnet ...argv` with stdout and a non-TTY stderr captured as strings. */
export async function convnet(...argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
  });
  return { code, stdout, stderr };
}

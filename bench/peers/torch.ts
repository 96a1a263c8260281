/**
 * PyTorch as a benchmark peer: runs `torch_bench.py` beside this file with Debian's `/usr/bin/python3`
 * (package python3-torch) and returns its median milliseconds, or null with the reason when it cannot run.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What to time, as `torch_bench.py` reads it. */
export interface TorchConfig {
  gemm?: [number, number, number][];
  conv?: [number, number, number, number, number, number, number][];
  cnn?: { batch: number };
}

/** PyTorch's medians, in milliseconds, in the order of the config. */
export interface TorchResult {
  version: string;
  threads: number;
  gemm: number[];
  conv: { forward: number; forwardBackward: number }[];
  cnn?: { train: number; infer: number };
}

const SCRIPT = fileURLToPath(new URL('./torch_bench.py', import.meta.url));
const PYTHON = '/usr/bin/python3';

/** Runs the PyTorch side with `threads` threads; a string says why it could not. */
export function runTorch(threads: number, config: TorchConfig): TorchResult | string {
  const child = spawnSync(PYTHON, [SCRIPT, String(threads), JSON.stringify(config)], {
    encoding: 'utf-8',
    maxBuffer: 1 << 20,
    timeout: 600_000,
  });
  if (child.error) return `PyTorch skipped: cannot run ${PYTHON} (${child.error.message})`;
  if (child.status !== 0) {
    const reason = /No module named 'torch'/.test(child.stderr)
      ? 'python3-torch is not installed (apt-get install python3-torch)'
      : child.stderr.trim().split('\n').slice(-1)[0];
    return `PyTorch skipped: ${reason}`;
  }
  return JSON.parse(child.stdout) as TorchResult;
}

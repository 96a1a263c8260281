/**
 * `--limit NAME=VALUE` raises a read limit from the command line: the ~300-byte checkpoint bomb (a Linear
 * of 10^6 outputs) is refused by `convnet summary` naming maxParameters, and with the limit raised the
 * refusal moves on to the next check (the file's tensors cannot back the architecture), which proves the
 * option reaches the reader. Bad values and unknown names are one `error: --limit: …` line naming the
 * known limits, and every command that reads users' files lists the option in its help.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLimit } from '../src/cli/shared.js';
import { saveSafetensors } from '../src/index.js';
import { convnet } from './helpers/cli.js';

const folder = mkdtempSync(join(tmpdir(), 'convnet-limit-'));
after(() => {
  rmSync(folder, { recursive: true, force: true });
});

const bomb = join(folder, 'bomb.safetensors');
writeFileSync(
  bomb,
  saveSafetensors(
    {},
    {
      convnet_checkpoint: '1',
      architecture: JSON.stringify({
        layers: [{ type: 'Flatten' }, { type: 'Linear', outFeatures: 1_000_000 }],
      }),
      classes: JSON.stringify(['a', 'b']),
      input_shape: JSON.stringify([1, 28, 28]),
      preprocessing: JSON.stringify({ mean: [0], std: [1] }),
    },
  ),
);

const oneLine = (stderr: string): void => {
  assert.equal(stderr.trim().split('\n').length, 1, stderr);
};

void describe('convnet --limit NAME=VALUE', () => {
  void it('the bomb is refused naming maxParameters; raised, the refusal moves on to the missing tensors', async () => {
    const refused = await convnet('summary', bomb);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /bomb\.safetensors.*785000000 parameters, more than the limit maxParameters/,
    );
    oneLine(refused.stderr);
    const raised = await convnet('summary', bomb, '--limit', 'maxParameters=1e9', '--limit', 'maxPixels=2e8');
    assert.equal(raised.code, 1);
    assert.doesNotMatch(raised.stderr, /maxParameters/);
    assert.match(
      raised.stderr,
      /architecture has 785000000 parameter and buffer values .*the file's tensors hold 0/,
    );
    oneLine(raised.stderr);
  });

  void it('a bad value or an unknown name is one error line naming the known limits', async () => {
    for (const [argument, message] of [
      ['maxParameters=abc', /--limit: maxParameters: expected a positive integer .*got "abc"/],
      ['maxParameters=1.5', /--limit: maxParameters: expected a positive integer/],
      ['maxParameters=0', /--limit: maxParameters: expected a positive integer/],
      ['maxParameters=2**30', /--limit: maxParameters: expected a positive integer/],
      ['maxWidgets=5', /--limit: unknown limit "maxWidgets"/],
      ['maxParameters', /--limit: expected NAME=VALUE/],
    ] as const) {
      const { code, stderr } = await convnet('summary', bomb, '--limit', argument);
      assert.equal(code, 1, argument);
      assert.match(stderr, /^error: --limit: /, argument);
      assert.match(stderr, message, argument);
      assert.match(stderr, /known limits: maxJsonDepth, .*maxParameters.*maxMultiplyAdds/, argument);
      oneLine(stderr);
    }
  });

  void it('parseLimit accepts digits and exact exponent notation, and accumulates', () => {
    assert.deepEqual(parseLimit('maxPixels=2e8', { maxParameters: 300_000_000 }), {
      maxParameters: 300_000_000,
      maxPixels: 200_000_000,
    });
    assert.deepEqual(parseLimit('maxJsonDepth=128'), { maxJsonDepth: 128 });
    assert.deepEqual(parseLimit('maxElements=1.5e3'), { maxElements: 1500 });
  });

  for (const command of ['summary', 'eval', 'predict', 'train', 'import', 'viz', 'filter']) {
    void it(`convnet ${command} --help lists --limit`, async () => {
      const { code, stdout } = await convnet(command, '--help');
      assert.equal(code, 0);
      assert.match(stdout, /--limit <name=value>\s+raise a read limit/);
    });
  }
});

/**
 * Runs a test body once per registered backend, so one table of cases checks every backend.
 */
import { after, before, describe } from 'node:test';
import { getBackend, listBackends, setBackend } from '../../src/index.js';

/** `describe(`${title} [backend]`)` for every registered backend, with that backend active in its tests. */
export function describeEachBackend(title: string, body: (backendName: string) => void): void {
  for (const name of listBackends()) {
    void describe(`${title} [${name}]`, () => {
      let previous = getBackend();
      before(() => {
        previous = getBackend();
        setBackend(name);
      });
      after(() => {
        setBackend(previous);
      });
      body(name);
    });
  }
}

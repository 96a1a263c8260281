/**
 * Dataset downloads against a node:http server on 127.0.0.1 that serves files this test makes (small
 * gzip IDX files, a small CIFAR-10-style .tar.gz) and misbehaves on request: a corrupted body, a
 * connection dropped mid-body, an error status, a server that never answers. Nothing here reaches outside
 * the machine: every URL is the local server's (or a closed local port), including when the built-in
 * catalog's file names are used.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ArgumentError } from '../src/index.js';
import {
  DATASETS,
  DownloadError,
  downloadDataset,
  fetchFile,
  loadCifar10,
  loadIdxDataset,
} from '../src/node/index.js';
import type { DatasetSpec, DownloadFailure, DownloadProgress } from '../src/node/index.js';

const root = mkdtempSync(join(tmpdir(), 'convnet-ts-download-'));
let folders = 0;
/** A fresh path for a download folder (not created: downloadDataset creates it). */
function newFolder(): string {
  return join(root, String(folders++));
}

/** Every file under `dir`, as paths relative to it, sorted. */
function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

const md5 = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');

/** Asserts the file at `path` holds exactly `expected`. */
function assertFileHolds(path: string, expected: Uint8Array, message = path): void {
  assert.ok(Buffer.from(expected).equals(readFileSync(path)), `${message} holds the expected bytes`);
}

/** Deterministic pseudo-random bytes (so gzip cannot shrink them much). */
function noise(length: number, seed: number, modulo = 256): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = (state >>> 24) % modulo;
  }
  return out;
}

/** An IDX file of unsigned bytes with the given dimensions. */
function idx(dims: number[], values: Uint8Array): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint32(0, 0x0800 | dims.length);
  dims.forEach((d, i) => {
    header.setUint32(4 + 4 * i, d);
  });
  return Buffer.concat([new Uint8Array(header.buffer), values]);
}

/** One tar entry (ustar header plus padded body). `type` '0' is a regular file, '2' a symbolic link. */
function tarEntry(name: string, body: Uint8Array, type = '0', linkName = ''): Uint8Array {
  const header = Buffer.alloc(512);
  const put = (text: string, offset: number): void => {
    header.write(text, offset, 'latin1');
  };
  put(name, 0);
  put('0000644\0', 100);
  put('0000000\0', 108);
  put('0000000\0', 116);
  put(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
  put('00000000000\0', 136);
  put('        ', 148);
  put(type, 156);
  put(linkName, 157);
  put('ustar\0', 257);
  put('00', 263);
  const sum = header.reduce((total, byte) => total + byte, 0);
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const entry = Buffer.alloc(512 + Math.ceil(body.length / 512) * 512);
  header.copy(entry);
  entry.set(body, 512);
  return entry;
}

/** A gzip-compressed tar archive of `entries`, closed by two zero blocks. */
function tarGz(entries: Uint8Array[]): Uint8Array {
  return gzipSync(Buffer.concat([...entries, Buffer.alloc(1024)]));
}

// ---- the local server -------------------------------------------------------------------------------

/**
 * How a route answers: `ok` sends the file; `corrupt` sends it with one byte flipped; `drop` sends half
 * and destroys the socket, on every request (`drop-once`: only the first); `hang` never answers;
 * `stall` sends the headers and half the body, then nothing; `503-once` answers 503 the first time.
 */
type Behaviour = 'ok' | 'corrupt' | 'drop' | 'drop-once' | 'hang' | 'stall' | '503-once';

interface Route {
  body: Uint8Array;
  behaviour: Behaviour;
}

const routes = new Map<string, Route>();
const hits = new Map<string, number>();
const sockets = new Set<Socket>();
let server: Server;
let origin: string;
let closedPortUrl: string;

function sendFile(res: ServerResponse, body: Uint8Array): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
  res.end(body);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? '';
  const count = (hits.get(path) ?? 0) + 1;
  hits.set(path, count);
  const route = routes.get(path);
  if (route === undefined) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
    return;
  }
  const { body, behaviour } = route;
  const half = body.subarray(0, body.length >> 1);
  switch (behaviour) {
    case 'ok':
      sendFile(res, body);
      return;
    case 'corrupt': {
      const damaged = Buffer.from(body);
      damaged[damaged.length >> 1]! ^= 0xff;
      sendFile(res, damaged);
      return;
    }
    case 'drop':
    case 'drop-once':
      if (behaviour === 'drop-once' && count > 1) {
        sendFile(res, body);
        return;
      }
      res.writeHead(200, { 'content-length': body.length });
      res.write(half, () => res.socket?.destroy());
      return;
    case 'hang':
      return;
    case 'stall':
      res.writeHead(200, { 'content-length': body.length });
      res.write(half);
      return;
    case '503-once':
      if (count > 1) {
        sendFile(res, body);
        return;
      }
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('busy');
      return;
  }
}

/** Serves `files` under `/<prefix>/` and returns that folder's URL. */
function serve(prefix: string, files: Record<string, Uint8Array>, behaviour: Behaviour = 'ok'): string {
  for (const [name, body] of Object.entries(files)) routes.set(`/${prefix}/${name}`, { body, behaviour });
  return `${origin}/${prefix}/`;
}

const requestsTo = (prefix: string): number =>
  [...hits].filter(([path]) => path.startsWith(`/${prefix}/`)).reduce((sum, [, n]) => sum + n, 0);

before(async () => {
  server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  origin = `http://127.0.0.1:${port}`;
  // A port that was just free: nothing listens there, so connecting is refused.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const closedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) =>
    probe.close(() => {
      resolve();
    }),
  );
  closedPortUrl = `http://127.0.0.1:${closedPort}/`;
});

after(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  rmSync(root, { recursive: true, force: true });
});

// ---- test datasets ------------------------------------------------------------------------------------

const IDX_FILES: Record<string, Uint8Array> = {
  'train-images-idx3-ubyte.gz': gzipSync(idx([50, 28, 28], noise(50 * 784, 1))),
  'train-labels-idx1-ubyte.gz': gzipSync(idx([50], noise(50, 2, 10))),
  't10k-images-idx3-ubyte.gz': gzipSync(idx([10, 28, 28], noise(10 * 784, 3))),
  't10k-labels-idx1-ubyte.gz': gzipSync(idx([10], noise(10, 4, 10))),
};

const CLASSES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** A spec for the fake IDX files, as served under `baseUrl`. */
function idxSpec(baseUrl: string, files = IDX_FILES): DatasetSpec {
  return {
    name: 'fake-mnist',
    baseUrl,
    files: Object.entries(files).map(([name, body]) => ({ name, md5: md5(body) })),
    classes: CLASSES,
  };
}

/** A spec for one file. */
function oneFileSpec(baseUrl: string, name: string, body: Uint8Array): DatasetSpec {
  return { name: 'one-file', baseUrl, files: [{ name, md5: md5(body) }] };
}

const RECORD = 3073;
const BATCH_RECORDS = 2;
const CIFAR_FOLDER = 'cifar-10-batches-bin';
const CIFAR_BATCHES = [...[1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), 'test_batch.bin'];

/** A CIFAR-10 batch of `BATCH_RECORDS` records with labels below 10. */
function cifarBatch(seed: number): Uint8Array {
  const bytes = noise(BATCH_RECORDS * RECORD, seed);
  for (let r = 0; r < BATCH_RECORDS; r++) bytes[r * RECORD] = (seed + r) % 10;
  return bytes;
}

const CIFAR_MEMBERS = Object.fromEntries(CIFAR_BATCHES.map((name, i) => [name, cifarBatch(10 + i)]));
const META = Buffer.from('airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n');

/** The regular entries of a CIFAR-10-style archive: its folder, the batches, the meta file and a readme. */
function cifarEntries(): Uint8Array[] {
  return [
    tarEntry(`${CIFAR_FOLDER}/`, new Uint8Array(0), '5'),
    ...CIFAR_BATCHES.map((name) => tarEntry(`${CIFAR_FOLDER}/${name}`, CIFAR_MEMBERS[name]!)),
    tarEntry(`${CIFAR_FOLDER}/batches.meta.txt`, META),
    tarEntry(`${CIFAR_FOLDER}/readme.html`, Buffer.from('<p>not unpacked</p>')),
  ];
}

/** A spec like the built-in `cifar10`, for `archive` served under `baseUrl`. */
function cifarSpec(baseUrl: string, archive: Uint8Array): DatasetSpec {
  return {
    name: 'fake-cifar10',
    baseUrl,
    files: [
      {
        name: 'cifar-10-binary.tar.gz',
        md5: md5(archive),
        unpack: {
          folder: CIFAR_FOLDER,
          members: [
            ...CIFAR_BATCHES.map((name) => ({ name, size: BATCH_RECORDS * RECORD })),
            { name: 'batches.meta.txt' },
          ],
        },
      },
    ],
  };
}

/** Fast retries and timeouts, so failures resolve in milliseconds. */
const FAST = { retryDelayMs: 5, timeoutMs: 2_000 };

/** Asserts `promise` rejects with a DownloadError of `reason` whose message matches every pattern. */
async function assertDownloadFails(
  promise: Promise<unknown>,
  reason: DownloadFailure,
  ...patterns: RegExp[]
): Promise<DownloadError> {
  let caught: unknown;
  await promise.then(
    () => assert.fail(`expected a DownloadError (${reason})`),
    (error: unknown) => {
      caught = error;
    },
  );
  assert.ok(caught instanceof DownloadError, `expected a DownloadError, got ${String(caught)}`);
  assert.equal(caught.reason, reason, caught.message);
  for (const pattern of patterns) assert.match(caught.message, pattern);
  return caught;
}

// ---- tests --------------------------------------------------------------------------------------------

void describe('downloadDataset: IDX files', () => {
  void it('downloads, verifies and saves every file, reporting progress, and the folder loads', async () => {
    const baseUrl = serve('good', IDX_FILES);
    const dir = newFolder();
    const events: DownloadProgress[] = [];
    const result = await downloadDataset(idxSpec(baseUrl), {
      dir,
      onProgress: (e) => events.push(e),
      ...FAST,
    });

    assert.deepEqual(listFiles(dir), [...Object.keys(IDX_FILES), 'classes.txt'].sort());
    for (const [name, body] of Object.entries(IDX_FILES)) {
      assertFileHolds(join(dir, name), body);
      const own = events.filter((e) => e.file === name);
      assert.deepEqual(
        [...new Set(own.map((e) => e.type))],
        ['start', 'progress', 'saved'],
        `${name}: start, progress…, saved`,
      );
      const progress = own.flatMap((e) => (e.type === 'progress' ? [e] : []));
      const received = progress.map((e) => e.receivedBytes);
      assert.deepEqual(
        received,
        [...received].sort((a, b) => a - b),
        `${name}: receivedBytes only grows`,
      );
      assert.equal(received.at(-1), body.length, `${name}: last progress event has every byte`);
      assert.ok(
        progress.every((e) => e.totalBytes === body.length),
        `${name}: totalBytes is the Content-Length`,
      );
      const start = own.find((e) => e.type === 'start');
      assert.equal(start?.type === 'start' && start.url, `${baseUrl}${name}`);
    }
    assert.deepEqual(
      result.files.map((f) => [f.file, f.status]),
      [...Object.keys(IDX_FILES).map((name) => [name, 'downloaded']), ['classes.txt', 'written']],
    );
    assert.equal(result.dir, dir);

    const loaded = loadIdxDataset(dir);
    assert.deepEqual(loaded.train.images.shape, [50, 1, 28, 28]);
    assert.deepEqual(loaded.test.labels.shape, [10]);
    assert.deepEqual(loaded.classes, CLASSES);
  });

  void it('skips files already present with the right MD5 and replaces a damaged one', async () => {
    const baseUrl = serve('skip', IDX_FILES);
    const dir = newFolder();
    await downloadDataset(idxSpec(baseUrl), { dir, ...FAST });
    assert.equal(requestsTo('skip'), 4);

    const events: DownloadProgress[] = [];
    const again = await downloadDataset(idxSpec(baseUrl), {
      dir,
      onProgress: (e) => events.push(e),
      ...FAST,
    });
    assert.equal(requestsTo('skip'), 4, 'no request when every file is valid');
    assert.ok(events.every((e) => e.type === 'skip'));
    assert.ok(again.files.every((f) => f.status === 'present'));

    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), 'damaged');
    const repaired = await downloadDataset(idxSpec(baseUrl), { dir, ...FAST });
    assert.equal(requestsTo('skip'), 5, 'only the damaged file is fetched again');
    assert.deepEqual(
      repaired.files.filter((f) => f.status !== 'present').map((f) => f.file),
      ['t10k-labels-idx1-ubyte.gz'],
    );
    assertFileHolds(join(dir, 't10k-labels-idx1-ubyte.gz'), IDX_FILES['t10k-labels-idx1-ubyte.gz']!);
  });

  void it('rejects a corrupted file naming the expected and actual MD5, and leaves no file', async () => {
    const name = 'train-labels-idx1-ubyte.gz';
    const body = IDX_FILES[name]!;
    const baseUrl = serve('corrupt', { [name]: body }, 'corrupt');
    const dir = newFolder();
    const damaged = Buffer.from(body);
    damaged[damaged.length >> 1]! ^= 0xff;
    const error = await assertDownloadFails(
      downloadDataset(oneFileSpec(baseUrl, name, body), { dir, ...FAST }),
      'checksum',
      new RegExp(`expected ${md5(body)}, got ${md5(damaged)}`),
    );
    assert.equal(error.resource, `${baseUrl}${name}`);
    assert.deepEqual(listFiles(dir), [], 'neither the file nor a temporary file is left');
    assert.equal(requestsTo('corrupt'), 1, 'a checksum mismatch is not retried');
  });

  void it('retries a connection dropped mid-body and succeeds', async () => {
    const name = 't10k-images-idx3-ubyte.gz';
    const body = IDX_FILES[name]!;
    const baseUrl = serve('drop-once', { [name]: body }, 'drop-once');
    const dir = newFolder();
    const events: DownloadProgress[] = [];
    await downloadDataset(oneFileSpec(baseUrl, name, body), {
      dir,
      onProgress: (e) => events.push(e),
      ...FAST,
    });
    assertFileHolds(join(dir, name), body);
    assert.equal(requestsTo('drop-once'), 2);
    const retry = events.find((e) => e.type === 'retry');
    assert.ok(retry?.type === 'retry');
    assert.equal(retry.attempt, 1);
    assert.equal(retry.delayMs, FAST.retryDelayMs);
    assert.equal(retry.error.reason, 'network');
    assert.deepEqual(listFiles(dir), [name]);
  });

  void it('gives up cleanly after `retries` more attempts when the connection always drops', async () => {
    const name = 't10k-images-idx3-ubyte.gz';
    const body = IDX_FILES[name]!;
    const baseUrl = serve('drop', { [name]: body }, 'drop');
    const dir = newFolder();
    const delays: number[] = [];
    await assertDownloadFails(
      downloadDataset(oneFileSpec(baseUrl, name, body), {
        dir,
        retries: 2,
        onProgress: (e) => {
          if (e.type === 'retry') delays.push(e.delayMs);
        },
        ...FAST,
      }),
      'network',
      /the connection broke after \d+ of \d+ bytes/,
      /gave up after 3 attempts/,
    );
    assert.equal(requestsTo('drop'), 3);
    assert.deepEqual(delays, [5, 10], 'exponential backoff');
    assert.deepEqual(listFiles(dir), []);
  });

  void it('retries an HTTP 503 and succeeds', async () => {
    const name = 'train-labels-idx1-ubyte.gz';
    const body = IDX_FILES[name]!;
    const baseUrl = serve('busy', { [name]: body }, '503-once');
    const dir = newFolder();
    await downloadDataset(oneFileSpec(baseUrl, name, body), { dir, ...FAST });
    assert.equal(requestsTo('busy'), 2);
    assert.deepEqual(listFiles(dir), [name]);
  });

  void it('reports a 404 with its status and URL, without retrying', async () => {
    const dir = newFolder();
    const name = 'missing-idx1-ubyte.gz';
    const error = await assertDownloadFails(
      downloadDataset(oneFileSpec(`${origin}/nothing/`, name, new Uint8Array(1)), { dir, ...FAST }),
      'http',
      /HTTP 404 Not Found/,
      new RegExp(`${origin}/nothing/${name}`.replaceAll('.', '\\.')),
    );
    assert.equal(error.status, 404);
    assert.equal(requestsTo('nothing'), 1);
    assert.deepEqual(listFiles(dir), []);
  });

  for (const behaviour of ['hang', 'stall'] as const) {
    void it(`times out when the server ${behaviour === 'hang' ? 'never answers' : 'stops mid-body'}`, async () => {
      const name = 'train-labels-idx1-ubyte.gz';
      const body = IDX_FILES[name]!;
      const baseUrl = serve(behaviour, { [name]: body }, behaviour);
      const dir = newFolder();
      const started = performance.now();
      await assertDownloadFails(
        downloadDataset(oneFileSpec(baseUrl, name, body), {
          dir,
          timeoutMs: 150,
          retries: 1,
          retryDelayMs: 5,
        }),
        'timeout',
        /no data received for 150 ms/,
        /gave up after 2 attempts/,
      );
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 300 && elapsed < 3_000, `two 150 ms timeouts took ${elapsed} ms`);
      assert.equal(requestsTo(behaviour), 2);
      assert.deepEqual(listFiles(dir), []);
    });
  }

  void it('says the machine appears to be offline when no connection can be made', async () => {
    const dir = newFolder();
    const name = 'train-images-idx3-ubyte.gz';
    const error = await assertDownloadFails(
      downloadDataset(oneFileSpec(closedPortUrl, name, new Uint8Array(1)), { dir, ...FAST }),
      'offline',
      /ECONNREFUSED/,
      /appears to be offline/,
      /--base-url/,
    );
    assert.equal(error.resource, `${closedPortUrl}${name}`);
    assert.deepEqual(listFiles(dir), []);
  });

  void it('stops when the signal fires, leaving no file', async () => {
    const name = 'train-labels-idx1-ubyte.gz';
    const body = IDX_FILES[name]!;
    const baseUrl = serve('abort', { [name]: body }, 'stall');
    const dir = newFolder();
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 50);
    await assertDownloadFails(
      downloadDataset(oneFileSpec(baseUrl, name, body), { dir, signal: controller.signal, ...FAST }),
      'aborted',
    );
    assert.equal(requestsTo('abort'), 1);
    assert.deepEqual(listFiles(dir), []);
  });

  void it('uses baseUrl for the built-in catalog, with or without a trailing slash, checking its MD5s', async () => {
    const name = 'train-images-idx3-ubyte.gz';
    serve('mirror', { [name]: IDX_FILES[name]! });
    const dir = newFolder();
    await assertDownloadFails(
      downloadDataset('mnist', { dir, baseUrl: `${origin}/mirror`, ...FAST }),
      'checksum',
      new RegExp(`expected ${DATASETS.mnist.files[0]!.md5}`),
    );
    assert.equal(requestsTo('mirror'), 1);
    assert.deepEqual(listFiles(dir), []);
  });

  void it('fetchFile saves one verified file', async () => {
    const name = 'train-labels-idx1-ubyte.gz';
    const body = IDX_FILES[name]!;
    const baseUrl = serve('fetch-file', { [name]: body });
    const dir = newFolder();
    mkdirSync(dir);
    const path = join(dir, 'labels.gz');
    const saved = await fetchFile(`${baseUrl}${name}`, path, { md5: md5(body).toUpperCase(), ...FAST });
    assert.deepEqual(saved, { path, bytes: body.length, md5: md5(body) });
    assert.deepEqual(listFiles(dir), ['labels.gz']);
  });
});

void describe('downloadDataset: CIFAR-10 archive', () => {
  void it('unpacks the batches and batches.meta.txt, skips other entries, and the folder loads', async () => {
    const archive = tarGz(cifarEntries());
    const baseUrl = serve('cifar', { 'cifar-10-binary.tar.gz': archive });
    const dir = newFolder();
    const events: DownloadProgress[] = [];
    const result = await downloadDataset(cifarSpec(baseUrl, archive), {
      dir,
      onProgress: (e) => events.push(e),
      ...FAST,
    });
    const members = [...CIFAR_BATCHES, 'batches.meta.txt'].map((name) => `${CIFAR_FOLDER}/${name}`);
    assert.deepEqual(listFiles(dir), ['cifar-10-binary.tar.gz', ...members].sort());
    for (const name of CIFAR_BATCHES) {
      assertFileHolds(join(dir, CIFAR_FOLDER, name), CIFAR_MEMBERS[name]!);
    }
    assertFileHolds(join(dir, CIFAR_FOLDER, 'batches.meta.txt'), META);
    assert.deepEqual(
      events.filter((e) => e.type === 'unpacked').map((e) => e.file),
      members,
    );
    assert.deepEqual(
      result.files.map((f) => f.status),
      ['downloaded', ...members.map(() => 'unpacked')],
    );

    const loaded = loadCifar10(dir);
    assert.deepEqual(loaded.train.images.shape, [5 * BATCH_RECORDS, 3, 32, 32]);
    assert.deepEqual(Array.from(loaded.test.labels.data), [15 % 10, 16 % 10]);

    const again = await downloadDataset(cifarSpec(baseUrl, archive), { dir, ...FAST });
    assert.equal(requestsTo('cifar'), 1, 'nothing is fetched when every member is present');
    assert.deepEqual(
      again.files.map((f) => [f.file, f.status]),
      members.map((m) => [m, 'present']),
    );
  });

  void it('unpacks an archive already present and valid without downloading it', async () => {
    const archive = tarGz(cifarEntries());
    const dir = newFolder();
    mkdirSync(dir);
    writeFileSync(join(dir, 'cifar-10-binary.tar.gz'), archive);
    const result = await downloadDataset(cifarSpec(`${origin}/never-asked/`, archive), { dir, ...FAST });
    assert.equal(requestsTo('never-asked'), 0);
    assert.equal(result.files[0]!.status, 'present');
    assert.equal(loadCifar10(dir).test.images.shape[0], BATCH_RECORDS);
  });

  const badArchives: [what: string, entries: () => Uint8Array[], message: RegExp][] = [
    [
      'a path climbing out with ..',
      () => [...cifarEntries(), tarEntry(`${CIFAR_FOLDER}/../../escaped.bin`, Buffer.from('x'))],
      /"cifar-10-batches-bin\/\.\.\/\.\.\/escaped\.bin" climbs out of the archive with '\.\.'/,
    ],
    [
      'an absolute path',
      () => [tarEntry('/tmp/escaped.bin', Buffer.from('x')), ...cifarEntries()],
      /"\/tmp\/escaped\.bin" is an absolute path/,
    ],
    [
      'a link pointing outside',
      () => [...cifarEntries(), tarEntry(`${CIFAR_FOLDER}/link`, new Uint8Array(0), '2', '../../etc/passwd')],
      /link to "\.\.\/\.\.\/etc\/passwd"\) climbs out/,
    ],
    [
      'a member that is a symbolic link',
      () => [
        ...cifarEntries().filter((_, i) => i !== 1),
        tarEntry(`${CIFAR_FOLDER}/data_batch_1.bin`, new Uint8Array(0), '2', 'test_batch.bin'),
      ],
      /"cifar-10-batches-bin\/data_batch_1\.bin" is a SymbolicLink, not a regular file/,
    ],
    [
      'a missing member',
      () => cifarEntries().filter((_, i) => i !== 3),
      /has no "cifar-10-batches-bin\/data_batch_3\.bin"/,
    ],
    [
      'a member of the wrong size',
      () => [
        ...cifarEntries().filter((_, i) => i !== 6),
        tarEntry(`${CIFAR_FOLDER}/test_batch.bin`, new Uint8Array(RECORD)),
      ],
      /"cifar-10-batches-bin\/test_batch\.bin" holds 3073 bytes, expected 6146/,
    ],
  ];
  for (const [what, entries, message] of badArchives) {
    void it(`refuses an archive with ${what}, writing nothing from it`, async () => {
      const archive = tarGz(entries());
      const baseUrl = serve(`bad-${folders}`, { 'cifar-10-binary.tar.gz': archive });
      const dir = newFolder();
      const error = await assertDownloadFails(
        downloadDataset(cifarSpec(baseUrl, archive), { dir, ...FAST }),
        'archive',
        message,
      );
      assert.equal(error.resource, join(dir, 'cifar-10-binary.tar.gz'));
      assert.deepEqual(listFiles(dir), ['cifar-10-binary.tar.gz'], 'only the verified archive remains');
      assert.ok(!existsSync(join(root, 'escaped.bin')) && !existsSync('/tmp/escaped.bin'));
    });
  }

  void it('refuses a truncated archive, writing nothing from it', async () => {
    const whole = tarGz(cifarEntries());
    const archive = whole.subarray(0, whole.length >> 1);
    const baseUrl = serve('truncated', { 'cifar-10-binary.tar.gz': archive });
    const dir = newFolder();
    await assertDownloadFails(downloadDataset(cifarSpec(baseUrl, archive), { dir, ...FAST }), 'archive');
    assert.deepEqual(listFiles(dir), ['cifar-10-binary.tar.gz']);
  });
});

void describe('downloadDataset: arguments and catalog', () => {
  void it('rejects an unknown name, a bad baseUrl, a missing dir and unsafe file names', async () => {
    const dir = newFolder();
    const spec = idxSpec(`${origin}/unused/`);
    const cases: [what: string, call: () => Promise<unknown>, argument: string][] = [
      ['unknown name', () => downloadDataset('imagenet' as 'mnist', { dir }), 'dataset'],
      ['ftp baseUrl', () => downloadDataset('mnist', { dir, baseUrl: 'ftp://mirror/' }), 'baseUrl'],
      ['not a URL', () => downloadDataset('mnist', { dir, baseUrl: 'mirror' }), 'baseUrl'],
      ['empty dir', () => downloadDataset('mnist', { dir: '' }), 'dir'],
      [
        'file name with ..',
        () =>
          downloadDataset({ ...spec, files: [{ name: '../x.gz', md5: md5(new Uint8Array(1)) }] }, { dir }),
        'dataset.files[].name',
      ],
      [
        'malformed md5',
        () => downloadDataset({ ...spec, files: [{ name: 'x.gz', md5: 'abc' }] }, { dir }),
        'dataset.files[].md5',
      ],
      ['negative retries', () => downloadDataset(spec, { dir, retries: -1 }), 'retries'],
    ];
    for (const [what, call, argument] of cases) {
      await assert.rejects(call(), (e: Error) => {
        assert.ok(e instanceof ArgumentError, `${what}: ${e.name}: ${e.message}`);
        assert.equal(e.argument, argument, what);
        assert.match(e.message, /^downloadDataset\(/, what);
        return true;
      });
    }
    assert.equal(requestsTo('unused'), 0);
  });

  void it('lists the published files and MD5s of MNIST, Fashion-MNIST and CIFAR-10', () => {
    const idxNames = [
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
    ];
    for (const name of ['mnist', 'fashion-mnist'] as const) {
      assert.deepEqual(
        DATASETS[name].files.map((f) => f.name),
        idxNames,
        name,
      );
    }
    const all = Object.values(DATASETS).flatMap((d) => d.files);
    assert.ok(all.every((f) => /^[0-9a-f]{32}$/.test(f.md5)));
    assert.equal(new Set(all.map((f) => f.md5)).size, all.length, 'no checksum is repeated');
    const [cifar] = DATASETS.cifar10.files;
    assert.equal(cifar?.name, 'cifar-10-binary.tar.gz');
    assert.equal(cifar?.md5, 'c32a1d4ab5d03f1284b67883e8d87530');
    assert.deepEqual(
      cifar?.unpack?.members.map((m) => [m.name, m.size]),
      [...CIFAR_BATCHES.map((name) => [name, 30_730_000]), ['batches.meta.txt', undefined]],
    );
    assert.equal(DATASETS['fashion-mnist'].classes?.length, 10);
  });

  /*
   * Debian's dataset-fashion-mnist ships the same four files, but their MD5s differ from the published
   * ones (train-images cf8536b0…, train-labels 10bea18f…, t10k-images f78720b4…, t10k-labels 0d30e22e…)
   * because the package build normalised the gzip headers (strip-nondeterminism): it dropped the original
   * file name (each file is name-length + 1 bytes shorter than the published size: 26421856 vs 26421880,
   * 29491 vs 29515, 4422079 vs 4422102, 5125 vs 5148) and set the timestamp to the package's date. The
   * compressed data is untouched. Restoring the header — the file name and the original timestamps below,
   * found by searching the seconds around the dataset's release (2017-08-31 10:50 UTC) — reproduces the
   * published MD5 of all four files exactly.
   */
  const DEBIAN_FASHION_MNIST = '/usr/share/datasets/fashion-mnist';
  const ORIGINAL_GZIP_MTIMES: Record<string, number> = {
    'train-images-idx3-ubyte.gz': 1504176606,
    'train-labels-idx1-ubyte.gz': 1504176606,
    't10k-images-idx3-ubyte.gz': 1504176627,
    't10k-labels-idx1-ubyte.gz': 1504176627,
  };
  const debianPresent = existsSync(join(DEBIAN_FASHION_MNIST, 't10k-labels-idx1-ubyte.gz'));
  void it(
    "Fashion-MNIST's published MD5s match Debian's copies with their original gzip headers restored",
    { skip: debianPresent ? false : `no ${DEBIAN_FASHION_MNIST} (apt-get install dataset-fashion-mnist)` },
    () => {
      for (const { name, md5: published } of DATASETS['fashion-mnist'].files) {
        const debian = readFileSync(join(DEBIAN_FASHION_MNIST, name));
        assert.equal(debian[3], 0, `${name}: Debian's header has no optional fields`);
        const header = Buffer.from(debian.subarray(0, 10));
        header[3] = 0x08; // FNAME: an original file name follows
        header.writeUInt32LE(ORIGINAL_GZIP_MTIMES[name]!, 4);
        const original = Buffer.concat([header, Buffer.from(`${name.slice(0, -3)}\0`), debian.subarray(10)]);
        assert.equal(md5(original), published, name);
      }
    },
  );
});

/**
 * Reads a guide page (docs/guide/*.md) into the program its code blocks form and the output each block
 * shows. A page's ```ts blocks run in order as one program, like the cells of a notebook; the ```text block
 * right under a ```ts block is the output it prints; ```ts nocheck runs a block whose output (a timing) is
 * shown but not compared. Any other fence is an error, so no code on a page goes unexecuted.
 */

/** One executable block of a page, with the output the page shows under it. */
export interface GuideBlock {
  /** 1-based line of the opening fence, for error messages. */
  line: number;
  code: string;
  /** The output block under it, or `''` when the page shows none. */
  shown: string;
  /** False for ```ts nocheck: the block runs, but its output is not compared. */
  checked: boolean;
}

interface Fence {
  line: number;
  info: string;
  body: string;
  /** Whether only blank lines separate this fence from the previous one. */
  adjacent: boolean;
}

/** The fenced blocks of a Markdown text. */
function fences(markdown: string): Fence[] {
  const lines = markdown.split('\n');
  const found: Fence[] = [];
  let lastEnd = -1;
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]!);
    if (open === null) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    if (i === lines.length) throw new Error(`line ${start + 1}: unclosed code fence`);
    const between = lines.slice(lastEnd + 1, start);
    found.push({
      line: start + 1,
      info: open[1]!.trim(),
      body: body.join('\n'),
      adjacent: lastEnd >= 0 && between.every((l) => l.trim() === ''),
    });
    lastEnd = i;
  }
  return found;
}

/** The executable blocks of a guide page, each with the output shown under it. */
export function guideBlocks(markdown: string): GuideBlock[] {
  const blocks: GuideBlock[] = [];
  for (const fence of fences(markdown)) {
    if (fence.info === 'ts' || fence.info === 'ts nocheck') {
      blocks.push({ line: fence.line, code: fence.body, shown: '', checked: fence.info === 'ts' });
    } else if (fence.info === 'text') {
      const previous = blocks.at(-1);
      if (previous === undefined || !fence.adjacent || previous.shown !== '') {
        throw new Error(
          `line ${fence.line}: a text block must come right under the ts block it is the output of`,
        );
      }
      previous.shown = fence.body;
    } else {
      throw new Error(`line ${fence.line}: fence "${fence.info}" is neither ts, ts nocheck nor text`);
    }
  }
  return blocks;
}

/** The line a page's program prints before block `index`, to cut its output into blocks. */
export const blockMarker = (index: number): string => `\u241eguide-block-${index}`;

/** One program running every block of a page in order, printing a marker before each. */
export function guideProgram(blocks: readonly GuideBlock[]): string {
  return blocks
    .map((block, index) => `console.log(${JSON.stringify(blockMarker(index))});\n${block.code}\n`)
    .join('');
}

/** What each block printed, cut at the markers of `guideProgram`. */
export function splitOutput(stdout: string, count: number): string[] {
  const outputs: string[] = [];
  let current: string[] | null = null;
  for (const line of stdout.split('\n')) {
    if (line === blockMarker(outputs.length + (current === null ? 0 : 1))) {
      if (current !== null) outputs.push(current.join('\n'));
      current = [];
    } else if (current !== null) {
      current.push(line);
    }
  }
  if (current !== null) outputs.push(current.join('\n'));
  if (outputs.length !== count) throw new Error(`expected output of ${count} blocks, got ${outputs.length}`);
  return outputs.map((text) => text.replace(/\s+$/, ''));
}

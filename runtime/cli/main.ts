// fovea CLI entry: argument parsing, help and dispatch. Subcommands live in their own files
// (run.ts, info.ts). Every error ends as one line on stderr and exit code 1; typed errors
// (runtime/errors.ts) carry their op, node, shapes and hint in that line.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InfoTarget } from './info.js';

/** Where the CLI writes (tests capture it). */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIO: CliIO = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

const MAIN_HELP = `usage: fovea <command> [options]

Fovea runs ONNX convolutional networks on WebGPU.

commands:
  run MODEL --input NAME=FILE.npy ... --out DIR   run a model on .npy inputs, write .npy outputs
  info MODEL [--json]                              inputs/outputs, ops, per-layer shapes, params, FLOPs, receptive fields
  bench MODEL [--runs N] [--profile]               create / first-run / median latency; per-node GPU times

options:
  -h, --help       show help (also: fovea <command> --help)
  -v, --version    print the version

Run "fovea <command> --help" for a command's options.
`;

const RUN_HELP = `usage: fovea run MODEL --input NAME=FILE.npy [--input ...] --out DIR [--free-dim NAME=N ...]

Runs MODEL (an .onnx file) once on WebGPU and writes DIR/<output name>.npy for each output
(characters other than letters, digits, '.', '_' and '-' in output names become '_').

options:
  -i, --input NAME=FILE.npy   a model input from a .npy file (repeat for each input); with a
                              single-input model, --input FILE.npy is enough.
                              dtypes: <f4, <f8 (converted to float32), <i8, <i4, |b1, |u1, |i1
  -o, --out DIR               output folder (created if missing)
  -d, --free-dim NAME=N       bind a free (symbolic) dimension; otherwise bound by the inputs
  -h, --help                  show this help

Float outputs are written as <f4, int64 outputs as <i8.
`;

const BENCH_HELP = `usage: fovea bench MODEL [--runs N] [--profile] [--json] [--free-dim NAME=N ...]

Times MODEL on seeded random inputs: session create, first run, and the median (min, max) of N
further runs (default 10). With --profile, one more run records every dispatch's GPU time
(timestamp-query when the adapter has it; otherwise each dispatch is submitted alone and timed
on the CPU up to onSubmittedWorkDone, which includes submission latency).

options:
  -n, --runs N            number of timed runs (default 10)
  --profile               print a per-node GPU time table
  --json                  print the report as JSON
  -d, --free-dim NAME=N   bind a free (symbolic) dimension
  -h, --help              show this help
`;

const INFO_HELP = `usage: fovea info MODEL [--json] [--passes] [--device] [--free-dim NAME=N ...]

Describes MODEL without a GPU: inputs and outputs (name, dtype, dims), an op histogram, and a
per-layer table of the shape-inferred graph (after constant folding) with output shape,
parameters, FLOPs and receptive field, and totals.

Conventions: FLOPs = 2 x multiply-accumulates (Conv: 2*N*OH*OW*Cout*(Cin/group)*KH*KW, plus
N*Cout*OH*OW with a bias); pooling counts one op per window element, BatchNorm 2 per element,
other elementwise ops 1 per element, data movement 0. Parameters are the floating-point
constants read by the remaining nodes. The receptive field (RF) and jump (cumulative stride)
are per spatial axis, shown once when all axes agree: r_out = r_in + ((k-1)*d)*j_in,
j_out = j_in*s, the maximum over a node's inputs.

options:
  --json                  print the report as JSON
  --passes                also show the node count after each graph pass, the fused graph
                          (which conv/gemm carries which epilogue) and the kernel variant of
                          every node (planned for WebGPU's default limits, without a device)
  --device                as --passes, with the kernels planned for this machine's WebGPU
                          adapter (software adapters such as lavapipe get kernels of their own)
  -d, --free-dim NAME=N   bind a free (symbolic) dimension (required for each one the model has)
  -h, --help              show this help
`;

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    io.stderr(`fovea: ${oneLine(e)}\n`);
    return 1;
  }
}

class UsageError extends Error {}

async function dispatch(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      io.stderr(MAIN_HELP);
      return 1;
    case '-h': case '--help': case 'help':
      if (rest[0] === 'run' || rest[0] === 'info' || rest[0] === 'bench') io.stdout(rest[0] === 'run' ? RUN_HELP : rest[0] === 'bench' ? BENCH_HELP : INFO_HELP);
      else io.stdout(MAIN_HELP);
      return 0;
    case '-v': case '--version':
      io.stdout(`${version()}\n`);
      return 0;
    case 'run':
      return runCommand(rest, io);
    case 'info':
      return infoCommand(rest, io);
    case 'bench':
      return benchCommand(rest, io);
    default:
      throw new UsageError(`unknown command "${command}" (commands: run, info, bench; see fovea --help)`);
  }
}

async function runCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse('run', argv, {
    input: { type: 'string', short: 'i', multiple: true },
    out: { type: 'string', short: 'o' },
    'free-dim': { type: 'string', short: 'd', multiple: true },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(RUN_HELP);
    return 0;
  }
  const model = onePositional('run', positionals);
  const inputs = (values.input as string[] | undefined) ?? [];
  if (!inputs.length) throw new UsageError('fovea run needs at least one --input NAME=FILE.npy (see fovea run --help)');
  const out = values.out as string | undefined;
  if (!out) throw new UsageError('fovea run needs --out DIR (see fovea run --help)');
  const freeDimensions = parseFreeDims(values['free-dim'] as string[] | undefined);
  // Loaded on demand so that `fovea info` and `--help` never touch the GPU package.
  const { runModel } = await import('./run.js');
  await runModel({ model, inputs, out, freeDimensions }, (line) => io.stdout(`${line}\n`));
  return 0;
}

async function benchCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse('bench', argv, {
    runs: { type: 'string', short: 'n' },
    profile: { type: 'boolean' },
    json: { type: 'boolean' },
    'free-dim': { type: 'string', short: 'd', multiple: true },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(BENCH_HELP);
    return 0;
  }
  const model = onePositional('bench', positionals);
  const runs = values.runs === undefined ? 10 : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs expects a positive integer, got "${String(values.runs)}"`);
  const { benchModel, formatBench } = await import('./bench.js');
  const report = await benchModel({ model, runs, profile: !!values.profile, freeDimensions: parseFreeDims(values['free-dim'] as string[] | undefined) });
  io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatBench(report));
  return 0;
}

async function infoCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse('info', argv, {
    json: { type: 'boolean' },
    passes: { type: 'boolean' },
    device: { type: 'boolean' },
    'free-dim': { type: 'string', short: 'd', multiple: true },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(INFO_HELP);
    return 0;
  }
  const model = onePositional('info', positionals);
  const { modelInfo, formatInfo } = await import('./info.js');
  let target: InfoTarget | undefined;
  if (values.device) {
    // The kernels this machine's adapter gets (software adapters have kernels of their own).
    const { acquireDevice } = await import('../index.node.js');
    const { kernelLimits } = await import('../gpu/device.js');
    const { device, adapterInfo: i } = await acquireDevice();
    target = { limits: kernelLimits(device, i), label: [i.backend, i.vendor, i.architecture, i.description].filter(Boolean).join(' ') };
  }
  const report = await modelInfo(model, parseFreeDims(values['free-dim'] as string[] | undefined), { passes: !!values.passes || !!values.device, target });
  io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatInfo(report));
  return 0;
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

function parse(command: string, argv: string[], options: OptionSpec) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    // node:util's messages are long; keep the option and point at the help.
    const m = /option '([^']+)'/.exec((e as Error).message);
    const code = (e as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${m?.[1] ?? ''} for fovea ${command} (see fovea ${command} --help)`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`option ${m?.[1] ?? ''} needs a value (see fovea ${command} --help)`);
    throw new UsageError(`${(e as Error).message} (see fovea ${command} --help)`);
  }
}

function onePositional(command: string, positionals: string[]): string {
  if (positionals.length === 0) throw new UsageError(`fovea ${command} needs a MODEL path (see fovea ${command} --help)`);
  if (positionals.length > 1) throw new UsageError(`fovea ${command} takes one MODEL, got ${positionals.map((p) => `"${p}"`).join(' ')}`);
  return positionals[0];
}

/** "--free-dim batch=2" -> { batch: 2 }. */
export function parseFreeDims(specs: string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const spec of specs ?? []) {
    const eq = spec.lastIndexOf('=');
    const name = spec.slice(0, eq);
    const value = spec.slice(eq + 1);
    if (eq <= 0 || !/^\d+$/.test(value)) throw new UsageError(`--free-dim expects NAME=N with N a non-negative integer, got "${spec}"`);
    out[name] = Number(value);
  }
  return out;
}

/** The message of any error on one line (typed errors already include op, node and hint). */
function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}

/** The version from the package.json above this file (src: runtime/cli, built: dist/runtime/cli). */
function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'fovea' && pkg.version) return pkg.version;
    } catch {
      // not here; look one folder up
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

// The demo's Web Worker (`?worker=1`): a LocalEngine off the main thread, so that compiling and
// running a model never blocks the page. Protocol (see worker-client.ts):
//   page → worker  { id, op: 'adapter' | 'load' | 'run' | 'inspect' | 'profile', args }
//   worker → page  { id, progress: [loaded, total, stage] }   (during load)
//                  { id, result } | { id, error: { name, message } }
import { LocalEngine, type ModelSource } from './engine.js';

const engine = new LocalEngine(true);
const scope = self as unknown as {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

type Request =
  | { id: number; op: 'adapter' }
  | { id: number; op: 'load'; args: { source: ModelSource } }
  | { id: number; op: 'run'; args: { input: Float32Array } }
  | { id: number; op: 'inspect'; args: { input: Float32Array; values: string[] } }
  | { id: number; op: 'profile'; args: { input: Float32Array } };

scope.onmessage = async (e: MessageEvent) => {
  const req = e.data as Request;
  try {
    let result: unknown;
    const transfer: Transferable[] = [];
    switch (req.op) {
      case 'adapter':
        result = await engine.adapter();
        break;
      case 'load':
        result = await engine.load(req.args.source, (loaded, total, stage) => scope.postMessage({ id: req.id, progress: [loaded, total, stage] }));
        break;
      case 'run': {
        const r = await engine.run(req.args.input);
        transfer.push(r.scores.buffer as ArrayBuffer);
        result = r;
        break;
      }
      case 'inspect': {
        const maps = await engine.inspect(req.args.input, req.args.values);
        for (const m of Object.values(maps)) transfer.push(m.data.buffer as ArrayBuffer);
        result = maps;
        break;
      }
      case 'profile':
        result = await engine.profile(req.args.input);
        break;
      default:
        throw new Error(`unknown request ${(req as { op: string }).op}`);
    }
    scope.postMessage({ id: req.id, result }, transfer);
  } catch (err) {
    const x = err instanceof Error ? err : new Error(String(err));
    scope.postMessage({ id: req.id, error: { name: x.name, message: x.message } });
  }
};

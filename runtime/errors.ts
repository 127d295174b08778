// Typed errors. Each carries what a user needs to fix the problem: the op, the node name,
// the shapes involved and a hint. Validation happens while loading and compiling, never in
// the dispatch loop.

export interface ErrorDetails {
  op?: string;
  node?: string;
  shapes?: Record<string, readonly number[] | null | undefined>;
  hint?: string;
  cause?: unknown;
}

export class FoveaError extends Error {
  readonly op?: string;
  readonly node?: string;
  readonly shapes?: ErrorDetails['shapes'];
  readonly hint?: string;

  constructor(message: string, details: ErrorDetails = {}) {
    super(FoveaError.format(message, details), details.cause !== undefined ? { cause: details.cause } : undefined);
    // Each subclass also sets its name as a literal: minifiers rename classes.
    this.name = 'FoveaError';
    this.op = details.op;
    this.node = details.node;
    this.shapes = details.shapes;
    this.hint = details.hint;
  }

  private static format(message: string, d: ErrorDetails): string {
    const parts = [message];
    if (d.op || d.node) parts.push(`[${d.op ?? '?'}${d.node ? ` node "${d.node}"` : ''}]`);
    if (d.shapes) {
      const s = Object.entries(d.shapes)
        .map(([k, v]) => `${k}=${v ? `[${v.join(',')}]` : '?'}`)
        .join(' ');
      if (s) parts.push(`shapes: ${s}`);
    }
    if (d.hint) parts.push(`hint: ${d.hint}`);
    return parts.join(' — ');
  }
}

/** The model bytes could not be decoded (malformed or truncated protobuf, bad tensor data). */
export class ModelLoadError extends FoveaError {
  override readonly name: string = 'ModelLoadError';
}
/** The model uses ops (or op forms) Fovea does not implement. Lists all of them at once. */
export class UnsupportedOpError extends FoveaError {
  override readonly name: string = 'UnsupportedOpError';
  constructor(
    readonly unsupported: { op: string; domain: string; nodes: string[] }[],
    hint = 'see the README for the list of supported ops',
  ) {
    super(
      `unsupported ops: ${unsupported.map((u) => `${u.domain ? u.domain + '.' : ''}${u.op} (${u.nodes.slice(0, 5).join(', ')}${u.nodes.length > 5 ? ', …' : ''})`).join('; ')}`,
      { hint },
    );
  }
}
/** A shape or attribute is invalid for the op (found during shape inference). */
export class ShapeError extends FoveaError {
  override readonly name: string = 'ShapeError';
}
/** The IR broke an invariant (verifier). */
export class GraphError extends FoveaError {
  override readonly name: string = 'GraphError';
}
/** A feed given to run() does not match the model's inputs. */
export class InputError extends FoveaError {
  override readonly name: string = 'InputError';
}
/** No WebGPU adapter/device could be acquired. */
export class DeviceError extends FoveaError {
  override readonly name: string = 'DeviceError';
}
/** A shader failed to compile or a pipeline failed to build. */
export class CompileError extends FoveaError {
  override readonly name: string = 'CompileError';
}
/** A tensor exceeds a device limit and cannot be split. */
export class LimitError extends FoveaError {
  override readonly name: string = 'LimitError';
}
/** The session was released, or its device was lost. */
export class SessionError extends FoveaError {
  override readonly name: string = 'SessionError';
}

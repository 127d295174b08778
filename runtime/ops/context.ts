import type { HostTensor, Node } from '../ir/types.js';
import type { OpContext } from './types.js';

export function makeOpContext(node: Node, opset: number, constants: Map<string, HostTensor>): OpContext {
  return {
    node,
    opset,
    has: (i) => !!node.inputs[i],
    constant: (i) => (node.inputs[i] ? constants.get(node.inputs[i]) : undefined),
  };
}

// The steps of a flow as a directed graph (step -> the steps it can go to), for the two checks that need the whole
// flow: which steps can be reached from the start, and which loops never wait for the callee. Pure; steps are
// numbered by their index in `steps`.
//
// Interface
//   FlowGraph, GraphEdge            nodes 0..count-1, each with its outgoing edges (labelled with the field that holds them)
//   reachableFrom(graph, start)     which nodes the start leads to
//   loopsWithout(graph, waits)      one concrete cycle per loop that passes no node for which `waits` is true

export interface GraphEdge<L> {
  to: number;
  /** What the edge came from, e.g. the field path of a step's `next`. */
  label: L;
}

export interface FlowGraph<L> {
  /** edges[n]: the edges leaving node n. */
  readonly edges: ReadonlyArray<ReadonlyArray<GraphEdge<L>>>;
}

export function reachableFrom<L>(graph: FlowGraph<L>, start: number): boolean[] {
  const seen = graph.edges.map(() => false);
  const stack = [start];
  seen[start] = true;
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    for (const edge of graph.edges[node] ?? []) {
      if (!seen[edge.to]) {
        seen[edge.to] = true;
        stack.push(edge.to);
      }
    }
  }
  return seen;
}

/** One step of a cycle: the node and the edge it leaves by. */
export interface CycleStep<L> {
  from: number;
  edge: GraphEdge<L>;
}

/**
 * Every loop made only of nodes that do not wait: one cycle per strongly connected component of the graph restricted
 * to such nodes (Tarjan's algorithm), starting at the component's lowest node. Components are found rather than
 * cycles enumerated, because a flow can hold exponentially many cycles but one report per tangle is what helps.
 */
export function loopsWithout<L>(graph: FlowGraph<L>, waits: (node: number) => boolean): CycleStep<L>[][] {
  const count = graph.edges.length;
  const inner = (node: number) => (graph.edges[node] ?? []).filter((edge) => !waits(edge.to));
  const index: (number | undefined)[] = new Array(count).fill(undefined);
  const low: number[] = new Array(count).fill(0);
  const onStack: boolean[] = new Array(count).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let next = 0;

  // Recursion depth is bounded by the number of steps (FLOW_LIMITS.stepsMax).
  const visit = (node: number): void => {
    index[node] = low[node] = next++;
    stack.push(node);
    onStack[node] = true;
    for (const { to } of inner(node)) {
      if (index[to] === undefined) {
        visit(to);
        low[node] = Math.min(low[node]!, low[to]!);
      } else if (onStack[to]) {
        low[node] = Math.min(low[node]!, index[to]!);
      }
    }
    if (low[node] === index[node]) {
      const component: number[] = [];
      for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
        onStack[member] = false;
        component.push(member);
        if (member === node) break;
      }
      components.push(component);
    }
  };
  for (let node = 0; node < count; node++) if (!waits(node) && index[node] === undefined) visit(node);

  const cycles: CycleStep<L>[][] = [];
  for (const component of components) {
    const first = Math.min(...component);
    const members = new Set(component);
    const selfLoop = inner(first).some((edge) => edge.to === first);
    if (component.length === 1 && !selfLoop) continue;
    cycles.push(cycleThrough(first, members, inner));
  }
  return cycles.sort((a, b) => a[0]!.from - b[0]!.from);
}

/** The shortest cycle from `start` back to itself within `members` (breadth first). */
function cycleThrough<L>(
  start: number,
  members: ReadonlySet<number>,
  inner: (node: number) => GraphEdge<L>[],
): CycleStep<L>[] {
  const cameBy = new Map<number, CycleStep<L>>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    for (const edge of inner(node)) {
      if (!members.has(edge.to)) continue;
      if (edge.to === start) {
        const cycle: CycleStep<L>[] = [{ from: node, edge }];
        for (let at = node; at !== start; ) {
          const step = cameBy.get(at)!;
          cycle.unshift(step);
          at = step.from;
        }
        return cycle;
      }
      if (!cameBy.has(edge.to) && edge.to !== start) {
        cameBy.set(edge.to, { from: node, edge });
        queue.push(edge.to);
      }
    }
  }
  // A strongly connected component always has a cycle through each member.
  throw new Error('no cycle in a strongly connected component');
}

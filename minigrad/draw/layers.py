"""Which layer each box sits in, and their left-to-right order: the first two steps of a
layered (Sugiyama) drawing.

1. Layers. Longest path from the leaves: an op sits one layer below its deepest input.
   Then every tensor but a final output moves down to just above its first consumer
   (the longest path measured from the target instead), so a side branch, a
   regulariser or a weight sits beside the op that uses it, not at the top of the
   picture with a long arrow.
2. Long arrows. An arrow that spans several layers gets a "dummy" point in each layer it
   crosses, so the ordering step treats it like a thin box and it passes between boxes.
   An arrow longer than MAX_SPAN layers (a weight every step of an unrolled loop uses),
   or past the dummy budget, is drawn on a bus down the side of the picture instead
   (see place.py): hundreds of dummies per arrow would cost time and clarity.
3. Order. Barycenter sweeps: going down, each layer is sorted by the mean position of
   its neighbours above; going up, by its neighbours below. The order with the fewest
   crossings so far is kept (Sugiyama, Tagawa and Toda 1981; crossings counted with a
   Fenwick tree, as in Barth, Juenger and Mutzel 2002).
"""
MAX_SPAN = 8  # layers an arrow may span with dummies; a longer one goes on a bus
SWEEPS = 12  # most rounds of (down sweep, up sweep)


class Layers:
    """Layers, dummies and order for a graph of `n` boxes.

    Args:
        n: the number of boxes; box i's inputs all have smaller indices.
        edges: (u, v) pairs, box u an input of box v, once per input.

    Attributes:
        rank: the layer of each vertex (boxes 0..n-1, then the dummies).
        layers: for each layer, its vertices from left to right.
        above, below: each vertex's neighbours in the layer above and below, one per
            arrow segment, in the order of v's inputs.
        spine_above, spine_below: the neighbours a vertex should line up with (see
            `_find_spines`).
        chains: for each edge, the dummies it passes through, top to bottom; None for
            an edge drawn on a bus.
    """

    def __init__(self, n, edges, dummy_budget=None):
        self.n = n
        self.rank, depth = _ranks(n, edges)
        budget = 4 * n + 100 if dummy_budget is None else dummy_budget
        self.chains = [None] * len(edges)
        by_span = sorted(range(len(edges)), key=lambda i: self._span(edges[i]))
        for i in by_span:
            span = self._span(edges[i])
            if span - 1 <= min(MAX_SPAN, budget):
                budget -= span - 1
                self.chains[i] = self._chain(*edges[i])
        # Each box lists its inputs in argument order, so the initial order puts a
        # matmul's x left of its w.
        self.above: list[list[int]] = [[] for _ in self.rank]
        self.below: list[list[int]] = [[] for _ in self.rank]
        for (u, v), chain in zip(edges, self.chains):
            if chain is None:
                continue
            points = [u] + chain + [v]
            for upper, lower in zip(points, points[1:]):
                self.above[lower].append(upper)
                self.below[upper].append(lower)
        self._find_spines(edges, depth)
        self.layers: list[list[int]] = [[] for _ in range(max(self.rank, default=-1) + 1)]
        for v in _initial_order(self.rank, self.above):
            self.layers[self.rank[v]].append(v)
        self._reduce_crossings()

    def _find_spines(self, edges, depth):
        """`spine_above[v]`: the vertex above that v should sit straight under, if any.

        An op follows its deepest input when that input is strictly deeper than the
        others (the hidden state of a loop, the activations through a network), so
        the long chain of a graph runs straight down and side inputs hang beside it.
        Centring every op between its inputs instead lets a chain drift sideways by
        half a box per step. A dummy follows the arrow it carries. `spine_below[u]`
        lists the vertices whose spine_above is u (a box's own dummies excluded).
        """
        self.spine_above: list[int | None] = [None] * len(self.rank)
        deepest: dict[int, tuple[int, int, bool]] = {}  # box -> (its deepest input's depth,
        # that edge, a tie?)
        for i, (u, v) in enumerate(edges):
            if self.chains[i] is None:
                continue
            best = deepest.get(v)
            if best is None or depth[u] > best[0]:
                deepest[v] = (depth[u], i, False)
            elif depth[u] == best[0] and edges[best[1]][0] != u:
                deepest[v] = (best[0], best[1], True)
        for v, (_, i, tie) in deepest.items():
            if not tie:
                chain = self.chains[i]
                self.spine_above[v] = chain[-1] if chain else edges[i][0]
        for d in range(self.n, len(self.rank)):
            self.spine_above[d] = self.above[d][0]
        self.spine_below: list[list[int]] = [[] for _ in self.rank]
        for w, u in enumerate(self.spine_above):
            if u is not None and (w < self.n or u >= self.n):
                self.spine_below[u].append(w)

    def _span(self, edge):
        return self.rank[edge[1]] - self.rank[edge[0]]

    def _chain(self, u, v):
        chain = list(range(len(self.rank), len(self.rank) + self._span((u, v)) - 1))
        self.rank.extend(range(self.rank[u] + 1, self.rank[v]))
        return chain

    def crossings(self):
        """How many pairs of arrow segments cross between adjacent layers."""
        position = self._positions()
        total = 0
        for upper, lower in zip(self.layers, self.layers[1:]):
            ends = sorted((position[u], position[w]) for u in upper for w in self.below[u])
            total += _inversions([w for _, w in ends], len(lower))
        return total

    def _positions(self):
        position = [0] * len(self.rank)
        for layer in self.layers:
            for i, v in enumerate(layer):
                position[v] = i
        return position

    def _reduce_crossings(self):
        best, best_layers = self.crossings(), [list(layer) for layer in self.layers]
        stale = 0
        for _ in range(SWEEPS):
            if best == 0 or stale >= 2:
                break
            self._sweep(range(1, len(self.layers)), self.above)
            self._sweep(range(len(self.layers) - 2, -1, -1), self.below)
            count = self.crossings()
            if count < best:
                best, best_layers, stale = count, [list(layer) for layer in self.layers], 0
            else:
                stale += 1
        self.layers = best_layers

    def _sweep(self, ranks, neighbours):
        """Sort each layer of `ranks` by the mean position of its `neighbours`, a layer
        already placed. A vertex with none keeps its place, scaled to that layer."""
        position = self._positions()
        for r in ranks:
            layer = self.layers[r]
            scale = (len(self.layers[r + (1 if neighbours is self.below else -1)]) /
                     max(len(layer), 1))
            keys = {}
            for i, v in enumerate(layer):
                near = neighbours[v]
                keys[v] = (sum(position[u] for u in near) / len(near) if near else i * scale)
            layer.sort(key=keys.__getitem__)
            for i, v in enumerate(layer):
                position[v] = i


def _ranks(n, edges):
    inputs: list[list[int]] = [[] for _ in range(n)]
    users: list[list[int]] = [[] for _ in range(n)]
    for u, v in edges:
        inputs[v].append(u)
        users[u].append(v)
    depth = [0] * n  # the longest path from a leaf
    for v in range(n):  # boxes come in Wengert order: inputs first
        if inputs[v]:
            depth[v] = 1 + max(depth[u] for u in inputs[v])
    rank = list(depth)
    for v in range(n - 1, -1, -1):  # down to just above the first consumer
        if users[v]:
            rank[v] = min(rank[w] for w in users[v]) - 1
    return rank, depth


def _initial_order(rank, above):
    """Vertices in depth-first post-order from the outputs through their inputs, first
    input first: a tree then comes out drawn without crossings."""
    has_user = [False] * len(rank)
    for v in range(len(rank)):
        for u in above[v]:
            has_user[u] = True
    order, done = [], [False] * len(rank)
    roots = [v for v in range(len(rank)) if not has_user[v]]
    for root in roots:
        stack = [(root, 0)]
        while stack:
            v, i = stack.pop()
            if done[v]:
                continue
            if i < len(above[v]):
                stack.append((v, i + 1))
                if not done[above[v][i]]:
                    stack.append((above[v][i], 0))
            else:
                done[v] = True
                order.append(v)
    return order


def _inversions(sequence, size):
    """Pairs i < j with sequence[i] > sequence[j], for values in range(size)."""
    tree = [0] * (size + 1)  # Fenwick tree of the values seen so far
    count = 0
    for seen, value in enumerate(sequence):
        i, not_greater = value + 1, 0
        while i > 0:
            not_greater += tree[i]
            i -= i & -i
        count += seen - not_greater
        i = value + 1
        while i <= size:
            tree[i] += 1
            i += i & -i
    return count

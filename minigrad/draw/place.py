"""Where boxes and arrows go: coordinates for the layers and order that layers.py chose.

Across. Each box wants to sit at the mean x of its neighbours, and boxes in a layer keep
their order and must not overlap. For one layer that is a least-squares problem with
ordering constraints, x[i+1] - x[i] >= gap[i], solved exactly by pool-adjacent-violators
(subtract the running sum of the gaps and it becomes isotonic regression). Alternating
sweeps down (towards the inputs' mean) and up (towards the consumers' mean) settle the
picture. A vertex on a spine (layers.py: an op under its deepest input, a dummy on
its arrow) lines up with that neighbour alone and weighs more, so the long chain and
long arrows run straight down.

Down. Layers are bands as tall as their tallest box, GAP_Y apart; boxes are centred in
their band. Arrows leave a box at the bottom centre and enter at the top, spread over
the box's width in the order they arrive, so a box with three inputs shows three heads.
An arrow on a bus (see layers.py) leaves into the gap below its source, runs along the
side of the picture and enters through the gap above its target: it crosses no box.
"""
GAP_X = 18  # px between neighbouring boxes
DUMMY_WIDTH, DUMMY_GAP = 4, 6  # px an arrow through a layer takes, and keeps clear
GAP_Y = 44  # px between layers
LANE_GAP = 8  # px between bus lanes
MARGIN = 12  # px around the picture
ROUNDS = 4  # rounds of (down, up) alignment sweeps
# Lining up with a spine outweighs any ordinary pull: a finite weight lets the side
# inputs of every step nudge the chain, and over a long loop the nudges add up.
# A dummy's pull is strong too, so long arrows run straight, but yields to a box's.
SPINE_WEIGHT, DUMMY_WEIGHT = 1e6, 1e3


class Placement:
    """Coordinates for a drawing.

    Args:
        layers: a `layers.Layers`.
        sizes: (width, height) of each box, in px.
        edges: the (u, v) pairs `layers` was built from.
        top: px above the first layer (for notes).

    Attributes:
        boxes: (left, top, width, height) of each box.
        routes: for each edge, its SVG path data, from the source box to the target box.
        on_bus: for each edge, whether it runs on a bus down the side.
        width, height: the size of the picture.
    """

    def __init__(self, layers, sizes, edges, top=0.0):
        n = layers.n
        self.widths = [sizes[v][0] if v < n else DUMMY_WIDTH for v in range(len(layers.rank))]
        x = _columns(layers, self.widths)
        bus = [i for i, chain in enumerate(layers.chains) if chain is None]
        lanes = _lanes(layers, x, self.widths, [edges[i][0] for i in bus])
        left = min([x[v] - self.widths[v] / 2 for v in range(len(x))] + list(lanes.values()),
                   default=0.0)
        shift = MARGIN - left
        x = [value + shift for value in x]
        lanes = {u: value + shift for u, value in lanes.items()}

        self.band_top, self.band_bottom = _bands(layers, sizes, top + MARGIN)
        self.boxes = []
        for v in range(n):
            w, h = sizes[v]
            r = layers.rank[v]
            centre_y = (self.band_top[r] + self.band_bottom[r]) / 2
            self.boxes.append((x[v] - w / 2, centre_y - h / 2, w, h))
        self.width = max([x[v] + self.widths[v] / 2 for v in range(len(x))] +
                         list(lanes.values()), default=0.0) + MARGIN
        self.height = (self.band_bottom[-1] if self.band_bottom else top) + MARGIN

        # The x each arrow arrives from: its last dummy, its source, or its lane.
        arrive = [lanes[u] if chain is None else x[chain[-1]] if chain else x[u]
                  for (u, _), chain in zip(edges, layers.chains)]
        ports = self._ports(edges, arrive)
        lane_of = {u: k for k, u in enumerate(lanes)}
        self.on_bus = [chain is None for chain in layers.chains]
        self.routes = []
        for (u, v), chain, port in zip(edges, layers.chains, ports):
            start = (x[u], self.boxes[u][1] + self.boxes[u][3])
            end = (port, self.boxes[v][1])
            if chain is None:
                self.routes.append(self._bus_route(start, end, layers.rank[u],
                                                   layers.rank[v], lanes[u], lane_of[u]))
            else:
                self.routes.append(self._layer_route(
                    start, end, layers.rank[u], layers.rank[v],
                    [(x[d], layers.rank[d]) for d in chain]))

    def _layer_route(self, start, end, ru, rv, dummies):
        """Down through the layers: a curve across each gap, straight through each band
        the arrow crosses (at its dummy's x)."""
        d = ["M" + _point(start)]
        here = start
        if here[1] < self.band_bottom[ru]:
            here = (here[0], self.band_bottom[ru])
            d.append("L" + _point(here))
        for x, r in dummies:
            d.append(_curve(here, (x, self.band_top[r])))
            here = (x, self.band_bottom[r])
            d.append("L" + _point(here))
        if end[1] > self.band_top[rv]:
            d.append(_curve(here, (end[0], self.band_top[rv])))
            d.append("L" + _point(end))
        else:
            d.append(_curve(here, end))
        return " ".join(d)

    def _bus_route(self, start, end, ru, rv, lane, k):
        """Out into the gap below the source, along the lane, in through the gap above
        the target. Legs of different lanes sit at different heights in a gap."""
        leg = 10 + (k % 6) * 4
        out_y, in_y = self.band_bottom[ru] + leg, self.band_bottom[rv - 1] + leg
        path = [start, (start[0], out_y), (lane, out_y), (lane, in_y), (end[0], in_y), end]
        return "M" + " L".join(_point(p) for p in path)

    def _ports(self, edges, arrive):
        """The x where each arrow meets its target's top edge."""
        incoming: dict[int, list[int]] = {}
        for i, (_, v) in enumerate(edges):
            incoming.setdefault(v, []).append(i)
        ports = [0.0] * len(edges)
        for v, arrows in incoming.items():
            left, _, w, _ = self.boxes[v]
            arrows.sort(key=lambda i: arrive[i])
            for j, i in enumerate(arrows):
                ports[i] = left + w * (0.1 + 0.8 * (j + 0.5) / len(arrows))
        return ports


def _columns(layers, widths):
    """The x (centre) of every vertex: packed, then aligned by sweeps."""
    x = [0.0] * len(widths)
    for layer in layers.layers:
        at = 0.0
        for a, b in zip([None] + layer, layer):
            at += 0 if a is None else _separation(layers.n, widths, a, b)
            x[b] = at
    n_layers = len(layers.layers)
    spine_above = [[] if u is None else [u] for u in layers.spine_above]
    for _ in range(ROUNDS):
        for r in range(1, n_layers):
            _align(layers, layers.layers[r], spine_above, layers.above, x, widths)
        for r in range(n_layers - 2, -1, -1):
            _align(layers, layers.layers[r], layers.spine_below, layers.below, x, widths)
    return x


def _bands(layers, sizes, y):
    """The top and bottom y of each layer's band: as tall as its tallest box."""
    top, bottom = [], []
    for layer in layers.layers:
        tall = max([sizes[v][1] for v in layer if v < layers.n], default=0)
        top.append(y)
        bottom.append(y + tall)
        y += tall + GAP_Y
    return top, bottom


def _separation(n, widths, a, b):
    gap = GAP_X if a < n and b < n else DUMMY_GAP
    return (widths[a] + widths[b]) / 2 + gap


def _align(layers, layer, spine, neighbours, x, widths):
    """Move `layer` as close as it can to the mean x of each vertex's `spine` vertices,
    or failing those its `neighbours`, keeping its order."""
    desired, weight = [], []
    for v in layer:
        near = spine[v] or neighbours[v]
        if near:
            desired.append(sum(x[u] for u in near) / len(near))
            weight.append(len(near) if not spine[v] else
                          DUMMY_WEIGHT if v >= layers.n else SPINE_WEIGHT)
        else:  # nothing to align with: stay put, but yield to those that have
            desired.append(x[v])
            weight.append(0.01)
    gaps = [_separation(layers.n, widths, a, b) for a, b in zip(layer, layer[1:])]
    for v, value in zip(layer, _ordered_least_squares(desired, weight, gaps)):
        x[v] = value


def _ordered_least_squares(desired, weight, gaps):
    """x minimising sum(weight * (x - desired)**2) with x[i+1] - x[i] >= gaps[i].

    >>> _ordered_least_squares([0.0, 0.0], [1.0, 1.0], [2.0])
    [-1.0, 1.0]
    """
    offset = [0.0]
    for gap in gaps:
        offset.append(offset[-1] + gap)
    blocks = []  # [total weight, weighted sum, count]: runs pooled to one value
    for d, w, c in zip(desired, weight, offset):
        blocks.append([w, w * (d - c), 1])
        while len(blocks) > 1 and blocks[-2][1] * blocks[-1][0] > blocks[-1][1] * blocks[-2][0]:
            w2, s2, n2 = blocks.pop()
            blocks[-1][0] += w2
            blocks[-1][1] += s2
            blocks[-1][2] += n2
    pooled = []
    for w, s, count in blocks:
        pooled.extend([s / w] * count)
    return [p + c for p, c in zip(pooled, offset)]


def _lanes(layers, x, widths, sources):
    """An x for the bus of each source of a long arrow: left of the picture for a source
    in its left half, right for the right half, each lane LANE_GAP further out."""
    if not sources:
        return {}
    left = min(x[v] - widths[v] / 2 for v in range(len(x)))
    right = max(x[v] + widths[v] / 2 for v in range(len(x)))
    lanes, count = {}, {"left": 0, "right": 0}
    for u in sorted(set(sources)):
        side = "left" if x[u] <= (left + right) / 2 else "right"
        count[side] += 1
        lanes[u] = (left - LANE_GAP * count[side] if side == "left"
                    else right + LANE_GAP * count[side])
    return lanes


def _point(p):
    return f"{p[0]:.1f},{p[1]:.1f}"


def _curve(a, b):
    """A cubic from a to b that leaves and arrives vertically."""
    mid = (a[1] + b[1]) / 2
    return f"C{a[0]:.1f},{mid:.1f} {b[0]:.1f},{mid:.1f} {_point(b)}"

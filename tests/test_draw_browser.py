"""`mg.draw` as a browser renders it: every label fits its box, no two boxes overlap, no
arrow runs through a box, and the text-width estimate matches the rendered width.

Text width can only be judged where text is rendered, so this test loads the SVGs in
headless Chromium (Debian's `chromium` and `chromium-driver`, driven by selenium; .ci/run
installs them when it runs as root) and reads getBBox() of every label. It keeps
screenshots and the SVGs in tests/artifacts/ to look at. Skipped where Chromium,
chromedriver or selenium are missing.
"""
import base64
import os
import shutil
import tempfile

import pytest

import minigrad as mg
from minigrad.draw.labels import PAD_X
from tests.test_draw import mlp, mlp_by_example, rnn

pytestmark = pytest.mark.slow

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
ARTIFACTS = os.path.join(os.path.dirname(__file__), "artifacts")
SCREENSHOT_MAX = 4000  # px; a taller picture is photographed from the top

MEASURE = """
const boxes = [];
for (const g of document.querySelectorAll('g.node')) {
  const r = g.querySelector('rect').getBBox();
  const labels = [...g.querySelectorAll('text.label')].map(t => {
    const b = t.getBBox(); return [b.x, b.y, b.width, b.height]; });
  boxes.push({name: g.getAttribute('data-name'), number: +g.getAttribute('data-number'),
              box: [r.x, r.y, r.width, r.height], labels: labels});
}
const notes = [...document.querySelectorAll('text.note')].map(t => {
  const b = t.getBBox(); return [b.x, b.y, b.width, b.height]; });
const arrows = [...document.querySelectorAll('path.edge')].map(p => {
  const n = p.getTotalLength(), points = [];
  for (let i = 0; i <= 24; i++) { const q = p.getPointAtLength(n * i / 24); points.push([q.x, q.y]); }
  return {from: +p.getAttribute('data-from').slice(1), to: +p.getAttribute('data-to').slice(1),
          points: points};
});
const svg = document.documentElement;
return {boxes: boxes, notes: notes, arrows: arrows,
        width: svg.width.baseVal.value, height: svg.height.baseVal.value};
"""


@pytest.fixture(scope="module")
def browser():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install -y chromium "
                    "chromium-driver); .ci/run installs them when run as root")
    webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (the dev extra)")
    from selenium.webdriver.chrome.service import Service
    profile = tempfile.mkdtemp(prefix="minigrad-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                 "--window-size=1400,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def small():
    y, names = rnn(2)
    y.backward(retain_graph=True)
    return mg.draw(y, names=names, values=True, grads=True)


def thousand():
    y, names = rnn(170)
    return mg.draw(y, names=names)


GRAPHS = {
    "small": small,
    "mlp": lambda: mg.draw(*mlp()),
    "mlp_by_example": lambda: mg.draw(*mlp_by_example()),
    "1000": thousand,
}


@pytest.fixture(scope="module")
def rendered(browser):
    """name -> (graph, measures): each graph drawn and rendered once for both tests."""
    cache = {}

    def get(name):
        if name not in cache:
            graph = GRAPHS[name]()
            cache[name] = graph, render(browser, name, graph)
        return cache[name]
    return get


def render(browser, name, graph):
    """Load `graph` in the browser, keep the SVG and a screenshot, return the measures."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, f"draw_{name}.svg")
    graph.save(path)
    browser.get("file://" + os.path.abspath(path))
    found = browser.execute_script(MEASURE)
    clip = {"x": 0, "y": 0, "width": found["width"],
            "height": min(found["height"], SCREENSHOT_MAX), "scale": 1}
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True, "clip": clip})
    with open(os.path.join(ARTIFACTS, f"draw_{name}.png"), "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    return found


def inside(inner, outer, slack=0.5):
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return x >= ox - slack and y >= oy - slack and x + w <= ox + ow + slack and y + h <= oy + oh + slack


@pytest.mark.parametrize("name", list(GRAPHS))
def test_labels_fit_their_boxes_and_boxes_do_not_overlap(rendered, name):
    graph, found = rendered(name)
    boxes = found["boxes"]
    assert len(boxes) == graph.svg.count('class="node"') > 0
    ratios = []
    for b in boxes:
        for label in b["labels"]:
            assert inside(label, b["box"]), f"a label of {b['name']} overflows its box: {label} {b['box']}"
        # The widest line sets the box's width: rendered, it fills it to within rounding.
        widest = max(label[2] for label in b["labels"])
        ratios.append(widest / (b["box"][2] - 2 * PAD_X))
    print(f"{name}: rendered / estimated width of the widest lines, "
          f"{min(ratios):.4f} to {max(ratios):.4f}")
    assert 0.97 <= min(ratios) and max(ratios) <= 1.0 + 1e-3, (min(ratios), max(ratios))
    for note in found["notes"]:
        assert note[0] + note[2] <= found["width"], "a note runs off the picture"
    ordered = sorted(b["box"] for b in boxes)
    for i, (x0, y0, w0, h0) in enumerate(ordered):
        for x1, y1, w1, h1 in ordered[i + 1:]:
            if x1 >= x0 + w0:
                break
            assert y1 >= y0 + h0 or y0 >= y1 + h1, f"boxes overlap: {(x0, y0, w0, h0)} {(x1, y1, w1, h1)}"
    for b in boxes:
        assert inside(b["box"], (0, 0, found["width"], found["height"]))


@pytest.mark.parametrize("name", ["small", "mlp", "mlp_by_example"])
def test_no_arrow_runs_through_a_box(rendered, name):
    _, found = rendered(name)
    rects = {b["number"]: b["box"] for b in found["boxes"]}
    for arrow in found["arrows"]:
        ends = {arrow["from"], arrow["to"]}
        for px, py in arrow["points"]:
            for number, (x, y, w, h) in rects.items():
                if number not in ends:
                    assert not (x + 1 < px < x + w - 1 and y + 1 < py < y + h - 1), (
                        f"the arrow v{arrow['from']} -> v{arrow['to']} runs through v{number}")

"""axe-core in the browser: run the WCAG 2.2 A/AA rules on the page as it is shown and collect what fails.

axe.min.js (MPL-2.0, ``vendor/``) is injected as a script tag, which the portal's Content-Security-Policy
forbids; pages to audit are opened with ``new_page(bypass_csp=True)``.
"""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")

RUN_AXE = """tags => axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
})"""


def axe_violations(page):
    """Every WCAG A/AA violation axe finds on the current page, whatever its impact."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, WCAG_TAGS)["violations"]


def structure_problems(page):
    """What axe leaves to its best-practice rules, held here as WCAG 1.3.1/2.4.6 needs for these pages:
    one level-one heading, one main landmark. Reported in axe's shape."""
    problems = []
    for selector, rule in (("h1", "one-h1"), ("main, [role=main]", "one-main")):
        count = page.locator(selector).count()
        if count != 1:
            problems.append(
                {
                    "id": rule,
                    "impact": "serious",
                    "help": f"{count} elements match {selector!r}, not one",
                    "helpUrl": "",
                    "nodes": [],
                }
            )
    return problems


class Audit:
    """The blocking violations of several pages, reported together so one run shows everything to fix."""

    def __init__(self):
        self.pages = {}

    def check(self, page, name):
        found = axe_violations(page)
        self.pages[name] = [v for v in found if v["impact"] in BLOCKING] + structure_problems(page)
        return found

    @property
    def failures(self):
        return {name: found for name, found in self.pages.items() if found}

    def report(self):
        lines = []
        for name, violations in self.failures.items():
            lines.append(f"== {name}")
            for v in violations:
                lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
                for node in v["nodes"]:
                    lines.append(f"    at {' '.join(map(str, node['target']))}")
                    lines.append(f"       {node['html'][:200]}")
                    summary = node.get("failureSummary") or ""
                    lines.extend(f"       {line}" for line in summary.splitlines())
        return "\n".join(lines)

    def assert_clean(self):
        assert not self.failures, "serious or critical accessibility violations:\n" + self.report()


def assert_reflows(page, paths, width=320):
    """WCAG 1.4.10: at 320 CSS pixels (1280 at 400 % zoom) no page scrolls sideways; wide tables scroll
    inside their own box."""
    previous = page.viewport_size
    page.set_viewport_size({"width": width, "height": 800})
    wide = {}
    for path in paths:
        page.goto(path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            wide[path] = scroll_width
    page.set_viewport_size(previous)
    assert not wide, f"pages wider than {width} px: {wide}"

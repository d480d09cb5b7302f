#!/usr/bin/env python3
"""Checks the dependency list in docs/ARCHITECTURE.md against Package.swift.

The list sits between the markers
    <!-- dependencies: checked by scripts/check-architecture.py -->
    <!-- end of dependencies -->
one line per module of this package, with the package's own modules it depends on directly:
    - RakisAPI → RakisCore, RakisNode, RakisRuntime, RakisStore
    - RakisCore → none
("->" works as well as "→"). Test targets and the test support targets under Tests/ are left
out; C and system-library targets are in. Every module must have its line, so a new module
cannot go unmapped. Blank lines are allowed inside the markers; prose belongs outside them.

The package's side comes from `swift package dump-package`, run in the repository, or from a
file of its output (--package-json, for trying the check without SwiftPM).

usage: scripts/check-architecture.py [--doc FILE] [--package-json FILE]
exit status: 0 when they match, 1 when they differ, 2 on bad input.
"""

import argparse
import json
import os
import re
import subprocess
import sys

BEGIN = "<!-- dependencies: checked by scripts/check-architecture.py -->"
END = "<!-- end of dependencies -->"
LINE = re.compile(r"^- (\S+) (?:→|->) (.+)$")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def package_graph(package_json):
    """{module: set of own modules it depends on} from dump-package's JSON."""
    if package_json is None:
        try:
            text = subprocess.run(["swift", "package", "dump-package"], cwd=ROOT, check=True,
                                  capture_output=True, text=True).stdout
        except FileNotFoundError:
            fail("swift is not installed; pass --package-json with `swift package dump-package`'s output")
        except subprocess.CalledProcessError as error:
            fail(f"swift package dump-package failed:\n{error.stderr}")
        source = "swift package dump-package"
    else:
        try:
            with open(package_json, encoding="utf-8") as file:
                text = file.read()
        except OSError as error:
            fail(f"cannot read {package_json}: {error.strerror}")
        source = package_json
    try:
        targets = json.loads(text)["targets"]
    except (json.JSONDecodeError, KeyError, TypeError):
        fail(f"{source} is not the JSON of `swift package dump-package` (no \"targets\")")

    def is_module(target):
        # Test support libraries are regular targets, but they live with the tests.
        path = target.get("path") or ""
        return target["type"] != "test" and not path.startswith("Tests/")

    modules = {target["name"] for target in targets if is_module(target)}
    graph = {}
    for target in targets:
        if target["name"] not in modules:
            continue
        edges = set()
        for dependency in target["dependencies"]:
            # {"byName": [name, condition]} or {"target": [name, condition]}; products of other
            # packages ({"product": ...}) are not on the map.
            for kind in ("byName", "target"):
                if kind in dependency and dependency[kind][0] in modules:
                    edges.add(dependency[kind][0])
        graph[target["name"]] = edges
    return graph


def documented_graph(doc):
    """{module: set of modules} from the doc's marked list."""
    try:
        with open(doc, encoding="utf-8") as file:
            lines = file.read().splitlines()
    except OSError as error:
        fail(f"cannot read {doc}: {error.strerror}")
    if lines.count(BEGIN) != 1 or lines.count(END) != 1 or lines.index(BEGIN) > lines.index(END):
        fail(f"{doc} needs one dependency list between the lines\n  {BEGIN}\n  {END}")
    graph = {}
    start = lines.index(BEGIN) + 1
    for number, line in enumerate(lines[start:lines.index(END)], start=start + 1):
        if not line.strip():
            continue
        match = LINE.match(line)
        if not match:
            fail(f"{doc}:{number}: expected '- Module → Dependency, Dependency' or '- Module → none', found: {line}")
        module, rest = match.groups()
        names = [] if rest.strip() == "none" else [name.strip() for name in rest.split(",")]
        bad = [name for name in [module] + names if not NAME.match(name)]
        if bad:
            fail(f"{doc}:{number}: not a module name: {', '.join(repr(name) for name in bad)}")
        if module in graph:
            fail(f"{doc}:{number}: {module} has a second line")
        if len(set(names)) != len(names):
            fail(f"{doc}:{number}: {module} names a dependency twice")
        graph[module] = set(names)
    return graph


def main():
    parser = argparse.ArgumentParser(description="Checks docs/ARCHITECTURE.md's dependency list against Package.swift.")
    parser.add_argument("--doc", default=os.path.join(ROOT, "docs", "ARCHITECTURE.md"))
    parser.add_argument("--package-json", help="a file of `swift package dump-package` output, instead of running it")
    arguments = parser.parse_args()

    package = package_graph(arguments.package_json)
    documented = documented_graph(arguments.doc)
    problems = []
    for module in sorted(documented.keys() - package.keys()):
        problems.append(f"  {module} is listed but is not a module of the package")
    for module in sorted(package.keys() - documented.keys()):
        problems.append(f"  {module} has no line (Package.swift: {module} → {', '.join(sorted(package[module])) or 'none'})")
    for module in sorted(package.keys() & documented.keys()):
        for dependency in sorted(package[module] - documented[module]):
            problems.append(f"  missing: {module} → {dependency} (in Package.swift, not in the doc)")
        for dependency in sorted(documented[module] - package[module]):
            problems.append(f"  extra:   {module} → {dependency} (in the doc, not in Package.swift)")
    doc = os.path.relpath(arguments.doc)
    doc = arguments.doc if doc.startswith("..") else doc
    if problems:
        print(f"{doc} does not match Package.swift:", file=sys.stderr)
        print("\n".join(problems), file=sys.stderr)
        sys.exit(1)
    edges = sum(len(dependencies) for dependencies in package.values())
    print(f"ok: {doc} lists the {len(package)} modules and {edges} dependencies of Package.swift")


if __name__ == "__main__":
    main()

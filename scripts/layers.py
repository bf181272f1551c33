#!/usr/bin/env python3
"""The module graph of a crate: which file uses which, its import circles, and its upward imports.

Reads every `.rs` file under a crate's `src/`, strips comments, string literals and `#[cfg(test)]`
modules, and collects every path into the crate (`crate::a::b`, `super::a`, `self::a`, grouped
`use` trees included). Each path is resolved to the deepest module file it names, so
`crate::call::Call` is an edge to `call.rs` (or `call/mod.rs`) and `crate::Builder` an edge to
`lib.rs`. A module's own children declared with `mod x;` are not edges (declaring is not using).

Floors: `--floors FILE` names, one per line, `floor-number module-prefix` (e.g. `0 semconv`);
the longest matching prefix gives a file's floor, and an edge to a higher floor is upward.
Files on the same floor may use each other, as long as no circle forms.

    python3 scripts/layers.py runtime --floors scripts/runtime.floors
    python3 scripts/layers.py macros

Exits 1 when there is a circle or an upward edge, so CI can keep the layout.
"""

import argparse
import re
import sys
from pathlib import Path


# A char literal: `'x'`, `'\n'`, `'\u{1F600}'` (not a lifetime).
CHAR = re.compile(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'")


def strip(text):
    """The code of a file without comments, string and char literals, and test modules."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif c == "r" and re.match(r'r#*"', text[i:i + 10]) and not (i and (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'r(#*)"', text[i:])
            end = '"' + m.group(1)
            j = text.find(end, i + len(m.group(0)))
            out.append('""')
            i = n if j < 0 else j + len(end)
        elif c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            out.append('""')
            i += 1
        elif c == "'" and re.match(CHAR, text[i:i + 12]):
            m = re.match(CHAR, text[i:i + 12])
            out.append("' '")
            i += len(m.group(0))
        else:
            out.append(c)
            i += 1
    code = "".join(out)
    # `pub(in crate::a)` names a module for visibility: not a use of it.
    code = re.sub(r"pub\s*\(\s*in\s+[\w:\s]+\)", "pub", code)
    # `#[cfg(test)] mod name { ... }`: drop the block.
    while True:
        m = re.search(r"#\[cfg\(test\)\]\s*(pub(\([^)]*\))?\s+)?mod\s+\w+\s*\{", code)
        if not m:
            break
        depth, j = 1, m.end()
        while j < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[j], 0)
            j += 1
        code = code[: m.start()] + code[j:]
    return code


def use_trees(code, children):
    """Every path into the crate, as a list of segments starting with crate/super/self (a path
    starting with the name of a child module, as `use child::x` may, starts with self)."""
    # Inline `mod name { .. }` blocks: inside one, `self` and `super` are one level deeper.
    blocks = []
    for m in re.finditer(r"\bmod\s+(\w+)\s*\{", code):
        depth, j = 1, m.end()
        while j < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[j], 0)
            j += 1
        blocks.append((m.start(), j, m.group(1)))
    paths = []
    heads = "|".join(["crate", "super", "self"] + sorted(children))
    for m in re.finditer(r"(?<![\w$:])(" + heads + r")\s*::", code):
        trees = expand(code, m.start())
        if m.group(1) in children:
            trees = [["self"] + t for t in trees]
        inline = [name for start, end, name in blocks if start < m.start() < end]
        if inline and m.group(1) in ("self", "super"):
            trees = [["self"] + inline + t[1:] if t[0] == "self" else ["self"] + inline[:-1] + t[1:]
                     if t[0] == "super" else t for t in trees]
        paths.extend(trees)
    return paths


def expand(code, start):
    """The paths of the use tree (or plain path) starting at `start`."""
    i = start
    segments = []
    while True:
        m = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*|\*)").match(code, i)
        if not m:
            return [segments] if segments else []
        segments.append(m.group(1))
        i = m.end()
        sep = re.compile(r"\s*::\s*").match(code, i)
        if not sep:
            return [segments]
        i = sep.end()
        if code[i] == "{":
            depth, j = 1, i + 1
            while depth:
                depth += {"{": 1, "}": -1}.get(code[j], 0)
                j += 1
            inner = code[i + 1: j - 1]
            out = []
            for part in split_top(inner):
                part = part.strip()
                if not part:
                    continue
                for sub in expand(part, 0) if re.match(r"[A-Za-z_*]", part) else []:
                    out.append(segments + (sub if sub != ["self"] else []))
            return out


def split_top(text):
    parts, depth, cur = [], 0, []
    for c in text:
        if c == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
            continue
        depth += {"{": 1, "}": -1}.get(c, 0)
        cur.append(c)
    parts.append("".join(cur))
    return parts


def strongly_connected(graph):
    """The strongly connected components of `graph` (node -> set of nodes), Tarjan's way."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    nodes = set(graph) | {w for ws in graph.values() for w in ws}
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def module_of(src, path):
    rel = path.relative_to(src).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("crate", help="the crate's folder (holding src/)")
    ap.add_argument("--floors", help="a file of `floor module-prefix` lines")
    ap.add_argument("--edges", action="store_true", help="print every edge")
    args = ap.parse_args()

    src = Path(args.crate) / "src"
    files = {module_of(src, p): p for p in sorted(src.rglob("*.rs"))}
    # `#[macro_export]` macros live at the crate root but belong to the file defining them.
    macros = {}
    for module, path in files.items():
        for m in re.finditer(r"#\[macro_export\][^!]*?macro_rules!\s*(\w+)", strip(path.read_text())):
            macros[m.group(1)] = module
    edges = {}
    for module, path in files.items():
        code = strip(path.read_text())
        targets = set()
        children = {m[-1] for m in files if len(m) == len(module) + 1 and m[:-1] == module}
        for segs in use_trees(code, children):
            head, rest = segs[0], segs[1:]
            if head == "crate":
                base = ()
            elif head == "self":
                base = module
            else:  # super
                base = module[:-1]
                while rest and rest[0] == "super":
                    base, rest = base[:-1], rest[1:]
            full = base + tuple(s for s in rest if s != "self")
            if len(full) == 1 and full[0] in macros:
                full = macros[full[0]]
            # the deepest module file this path names
            target = ()
            for k in range(len(full), -1, -1):
                if full[:k] in files:
                    target = full[:k]
                    break
            if target != module:
                targets.add(target)
        edges[module] = targets

    floors = []
    if args.floors:
        for line in Path(args.floors).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line:
                level, prefix = line.split()
                floors.append((int(level), tuple(p for p in prefix.split("::") if p and p != "crate")))

    def floor(module):
        if not module:
            module = ("lib",)
        best = None
        for level, prefix in floors:
            if module[: len(prefix)] == prefix and (best is None or len(prefix) > len(best[1])):
                best = (level, prefix)
        return None if best is None else best[0]

    def name(module):
        return "::".join(module) or "lib"

    sys.setrecursionlimit(10000)
    sccs = strongly_connected({m: edges.get(m, set()) for m in files})
    circles = [sorted(c) for c in sccs if len(c) > 1]

    # The same at the level of the top modules (folders): `a::x -> b::y` is `a -> b`.
    top_edges = {}
    for v, targets in edges.items():
        for t in targets:
            if v[:1] != t[:1]:
                top_edges.setdefault(v[:1], set()).add(t[:1])
    top_circles = [c for c in strongly_connected(top_edges) if len(c) > 1]

    n_edges = sum(len(t) for t in edges.values())
    print(f"{args.crate}: {len(files)} files, {n_edges} edges between them")
    if args.edges:
        for v in sorted(edges):
            print(f"  {name(v)} -> {', '.join(name(t) for t in sorted(edges[v]))}")
    print(f"import circles: {len(circles)} between files, {len(top_circles)} between top modules")
    for c in circles + top_circles:
        print(f"  {' <-> '.join(name(m) for m in c)}")
    bad = len(circles) + len(top_circles)
    if floors:
        upward = []
        unplaced = sorted(m for m in files if floor(m) is None)
        for v in sorted(edges):
            for t in sorted(edges[v]):
                fv, ft = floor(v), floor(t)
                if fv is not None and ft is not None and ft > fv:
                    upward.append((v, t, fv, ft))
        print(f"upward imports: {len(upward)}")
        for v, t, fv, ft in upward:
            print(f"  {name(v)} (floor {fv}) -> {name(t)} (floor {ft})")
        if unplaced:
            print(f"files on no floor: {', '.join(name(m) for m in unplaced)}")
        bad += len(upward) + len(unplaced)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The public surface of a crate, read from its rustdoc JSON: every name a user can write, by
which paths, grouped by the top-level module it is reachable under.

    RUSTDOCFLAGS="-Z unstable-options --output-format json" \
        cargo +nightly doc -p genai-tracing --no-deps --all-features --target-dir target/api
    python3 scripts/public_api.py target/api/doc/genai_tracing.json [--paths] [--hidden]

Walks the module tree from the crate root through `pub mod`s and `pub use` re-exports (globs
included). A name counts once however many paths reach it; "paths" counts every path, so a name
reachable two ways shows as two paths. `#[doc(hidden)]` items and their contents are counted
apart (they are the macros' expansion interface, not API), as are public members: fields,
variants, and methods and constants of inherent impls.
"""

import argparse
import json
import sys
from collections import defaultdict


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("json")
    ap.add_argument("--paths", action="store_true", help="list every public path")
    ap.add_argument("--twice", action="store_true", help="list the names reachable by several paths")
    args = ap.parse_args()
    doc = json.load(open(args.json))
    index = doc["index"]

    def item(i):
        return index.get(str(i))

    def hidden(it):
        return any("doc(hidden)" in str(a).replace(" ", "") for a in it.get("attrs", []))

    def kind(it):
        return next(iter(it["inner"]))

    paths = defaultdict(set)  # item id -> public paths
    hidden_paths = defaultdict(set)
    seen_modules = set()

    def walk(module_id, prefix, is_hidden):
        if (module_id, is_hidden) in seen_modules:
            return
        seen_modules.add((module_id, is_hidden))
        module = item(module_id)
        for child_id in module["inner"]["module"]["items"]:
            child = item(child_id)
            if child is None or child.get("visibility") != "public":
                continue
            h = is_hidden or hidden(child)
            k = kind(child)
            if k == "use":
                use = child["inner"]["use"]
                target = item(use["id"]) if use["id"] is not None else None
                if target is None:
                    continue  # a re-export from another crate
                if use["is_glob"]:
                    if kind(target) == "module":
                        walk(use["id"], prefix, h)
                    continue
                add(use["id"], prefix + [use["name"]], h)
                if kind(target) == "module":
                    walk(use["id"], prefix + [use["name"]], h)
            else:
                add(child_id, prefix + [child["name"]], h)
                if k == "module":
                    walk(child_id, prefix + [child["name"]], h)

    def add(i, path, h):
        (hidden_paths if h else paths)[i].add("::".join(path))

    walk(doc["root"], [], False)

    def members(i):
        it = item(i)
        k = kind(it)
        inner = it["inner"][k]
        out = []
        if k == "struct":
            fields = inner["kind"].get("plain", {}).get("fields", []) if isinstance(inner["kind"], dict) else []
            out += [f for f in fields if item(f) and item(f).get("visibility") == "public"]
        if k == "enum":
            out += inner.get("variants", [])
        for impl_id in inner.get("impls", []) if k in ("struct", "enum", "union") else []:
            impl = item(impl_id)["inner"]["impl"]
            if impl["trait"] is None and not impl.get("is_synthetic"):
                out += [m for m in impl["items"] if item(m) and item(m).get("visibility") == "public" and not hidden(item(m))]
        return out

    def top(path):
        parts = path.split("::")
        return "(root)" if len(parts) == 1 else parts[0]

    by_module = defaultdict(lambda: {"names": 0, "paths": 0, "members": 0})
    for i, ps in paths.items():
        homes = {top(p) for p in ps}
        for home in homes:
            by_module[home]["names"] += 1
        for p in ps:
            by_module[top(p)]["paths"] += 1
        # members counted once, under the first module the item is reachable in
        by_module[sorted(homes)[0]]["members"] += len(members(int(i)))
    twice = {i: ps for i, ps in paths.items() if len(ps) > 1}

    hidden_only = [i for i in hidden_paths if i not in paths]
    print(f"public names: {len(paths)}, public paths: {sum(len(p) for p in paths.values())}, "
          f"names reachable by several paths: {len(twice)}")
    print(f"hidden names: {len(hidden_only)}, with {sum(len(members(int(i))) for i in hidden_only)} "
          f"public members (run rustdoc with --document-hidden-items to see them)")
    print(f"{'module':<14} {'names':>6} {'paths':>6} {'members':>8}")
    for module in sorted(by_module, key=lambda m: (m != "(root)", m)):
        row = by_module[module]
        print(f"{module:<14} {row['names']:>6} {row['paths']:>6} {row['members']:>8}")
    if args.twice:
        for i, ps in sorted(twice.items(), key=lambda kv: sorted(kv[1])):
            print("  " + "  =  ".join(sorted(ps)))
    if args.paths:
        for p in sorted(p for ps in paths.values() for p in ps):
            print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())

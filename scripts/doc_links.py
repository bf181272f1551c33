#!/usr/bin/env python3
"""Every link on the pages rustdoc renders for genai-tracing's attribute macros resolved.

The macros' documentation is written in genai-tracing-macros, which cannot name genai-tracing's
items; its links are Markdown references whose targets the re-exports define (runtime/src/lib.rs,
`documented_macros!`). rustdoc neither reports a link it cannot resolve in docs inlined from a
proc-macro crate nor checks a definition that only the other crate's text uses, so this reads the
rendered pages instead: an unresolved link is left as the text `[name]`, or as an `href` that is
still a Rust path.

    RUSTDOCFLAGS="-D warnings" cargo doc -p genai-tracing --no-deps
    python3 scripts/doc_links.py target/doc/genai_tracing
"""

import re
import sys
from pathlib import Path

UNRESOLVED = [
    # A reference with no definition: left as text.
    re.compile(r"\[<code>[^<]*</code>\]"),
    # A definition rustdoc could not resolve: its Rust path left as the URL.
    re.compile(r'href="[A-Za-z_@][A-Za-z0-9_@]*::[^"]*"'),
]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    pages = sorted(Path(sys.argv[1]).glob("attr.*.html"))
    if not pages:
        sys.exit(f"no macro pages under {sys.argv[1]}: run cargo doc first")
    bad = 0
    for page in pages:
        html = page.read_text()
        for pattern in UNRESOLVED:
            for found in pattern.findall(html):
                print(f"{page.name}: unresolved link {found}")
                bad += 1
    if bad:
        sys.exit(f"{bad} unresolved link(s): define each in documented_macros! (runtime/src/lib.rs)")
    print(f"{len(pages)} macro pages, every link resolved")


if __name__ == "__main__":
    main()

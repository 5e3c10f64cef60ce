#!/usr/bin/env bash
# Builds the DocC documentation site with the toolchain alone (no package plugin, no dependency).
# The articles' ```swift blocks are compiled and run by `swift test` (Scripts/extract_doc_snippets.py
# puts them in Tests/WerkDocSnippetsTests), so this script only builds the site:
#
#   1. `swift build` of the umbrella module `Werk` with symbol graphs, in its own scratch folder
#      (.build-docs), so the normal .build is left alone;
#   2. `docc convert` of Sources/Werk/Werk.docc with the symbol graph, warnings treated as errors
#      (a broken <doc:...> or ``Symbol`` link, in an article or in a `///` comment, fails the build).
#
# Usage: Scripts/build-docs.sh [output-dir]     (default: .build-docs/site)
# Then:  python3 -m http.server --directory .build-docs/site 8000   and open
#        http://127.0.0.1:8000/documentation/werk
#
# What we found with Swift 6.3.1: the symbol graph of `Werk`, whose only source re-exports the other
# modules with `@_exported import`, already contains every public symbol of WerkCore, WerkServer and
# the middleware targets. So only Werk's graph is given to docc: one module page, every symbol under
# it. Passing the other modules' graphs as well would make docc see several modules. Step 1 checks that
# the re-exported symbols are really there and stops with a message if a toolchain stops doing this.
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=.build-docs
output="${1:-$scratch/site}"
graphs="$scratch/symbol-graphs"        # every module's graph, as swift build writes them
werk_graphs="$scratch/werk-symbol-graph" # the umbrella's graph only, given to docc
catalog=Sources/Werk/Werk.docc
start=$SECONDS

if command -v docc >/dev/null 2>&1; then docc=(docc); else docc=(xcrun docc); fi

echo "docs: building the Werk module with symbol graphs ($scratch)"
# A graph is written only when its module is compiled, so the folder is kept between runs, and
# Werk.swift is touched so that the umbrella's graph is always written again: a change to a `///`
# comment in another module alone would not recompile Werk.
rm -rf "$werk_graphs"
mkdir -p "$graphs" "$werk_graphs"
touch Sources/Werk/Werk.swift
swift build --scratch-path "$scratch" --target Werk \
    -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$PWD/$graphs"
cp "$graphs"/Werk.symbols.json "$graphs"/Werk@*.symbols.json "$werk_graphs"/

python3 - "$graphs" <<'EOF'
# Every public symbol of the re-exported modules must be in Werk's graph (see the comment above).
import json, pathlib, sys
folder = pathlib.Path(sys.argv[1])
def ids(path):
    return {symbol["identifier"]["precise"] for symbol in json.loads(path.read_text())["symbols"]}
werk = ids(folder / "Werk.symbols.json")
for path in sorted(folder.glob("Werk?*.symbols.json")):
    if "@" in path.name:
        continue   # extensions of other modules' types (Swift's), checked by docc itself
    missing = ids(path) - werk
    if missing:
        sys.exit(f"docs: {len(missing)} public symbols of {path.name} are not in Werk's symbol graph; "
                 "this toolchain does not include @_exported modules in the umbrella's graph. "
                 "Pass every Werk*.symbols.json to docc (and expect one module page per module).")
print(f"docs: Werk's symbol graph has {len(werk)} symbols, the re-exported modules' included")
EOF

echo "docs: docc convert (warnings are errors)"
rm -rf "$output"
"${docc[@]}" convert "$catalog" \
    --fallback-display-name Werk \
    --fallback-bundle-identifier org.werk.Werk \
    --additional-symbol-graph-dir "$werk_graphs" \
    --output-path "$output" \
    --warnings-as-errors

echo "docs: done in $((SECONDS - start)) s. The site is in $output"
echo "docs: view it with: python3 -m http.server --directory $output 8000"
echo "docs:   then open http://127.0.0.1:8000/documentation/werk"

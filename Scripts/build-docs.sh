#!/usr/bin/env bash
# Builds the DocC documentation site with the toolchain alone (no package plugin, no dependency):
#
#   1. `swift build` of the umbrella module `Werk` with symbol graphs, in its own scratch folder
#      (.build-docs), so the normal .build is left alone;
#   2. every ```swift block of the articles compiled against those modules, linked and run, so their
#      `assert`s hold (Scripts/doc-snippets.py; a block that serves forever is only compiled);
#   3. `docc convert` of Sources/Werk/Werk.docc with the symbol graph, warnings treated as errors
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

echo "docs: compiling and running the articles' swift blocks"
bin="$(swift build --scratch-path "$scratch" --show-bin-path)"
snippets="$scratch/DocSnippets.swift"
python3 Scripts/doc-snippets.py --runner "$catalog" "$snippets"
cflags=()
for flag in $(pkg-config --cflags libcrypto zlib 2>/dev/null || true); do cflags+=(-Xcc "$flag"); done
# The objects of the library modules `swift build --target Werk` compiled (not tests, not executables).
objects=()
for folder in "$bin"/Werk*.build "$bin"/CWerk*.build; do
    case "$(basename "$folder")" in *Tests.build|WerkTestSupport.build|WerkPackage*) continue ;; esac
    for object in "$folder"/*.o; do [ -e "$object" ] && objects+=("$object"); done
done
swiftc -parse-as-library -swift-version 6 -module-name DocSnippets -o "$scratch/DocSnippets" \
    -I "$bin/Modules" \
    -Xcc -fmodule-map-file=Sources/CWerkCrypto/module.modulemap \
    -Xcc -fmodule-map-file=Sources/CWerkZlib/module.modulemap \
    -Xcc -fmodule-map-file="$bin/CWerkSystem.build/module.modulemap" \
    ${cflags[@]+"${cflags[@]}"} \
    "$snippets" "${objects[@]}" -lcrypto -lz 2>&1 | tee "$scratch/DocSnippets.log"
if [ "${PIPESTATUS[0]}" -ne 0 ] || grep -qE "(error|warning):" "$scratch/DocSnippets.log"; then
    echo "docs: a swift block in the articles does not compile cleanly (above)." >&2
    exit 1
fi
# Each block runs in turn; a failed `assert` names the article and line.
if ! SWIFT_BACKTRACE=enable=no timeout 120 "$scratch/DocSnippets" > "$scratch/DocSnippets.out" 2>&1; then
    grep -v -e "^Current stack trace" -e "^[0-9][0-9]* " "$scratch/DocSnippets.out" | tail -4 >&2
    echo "docs: a swift block in the articles failed when run (the block named above; full output in" \
         "$scratch/DocSnippets.out). A block that cannot run here starts with '// compile only'." >&2
    exit 1
fi
tail -1 "$scratch/DocSnippets.out"

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

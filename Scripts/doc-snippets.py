#!/usr/bin/env python3
"""Writes every ```swift block of the DocC articles into one Swift file, so the compiler can check them.

Usage: Scripts/doc-snippets.py [--runner] <catalog-dir> <output.swift>

The convention (notes and README): a block compiles in the body of an `async throws` function in a
file that starts with `import Werk`; a block whose first line is `// toplevel` is placed at file
scope instead. Each block becomes its own function, named after its article and position, and a
`#sourceLocation` line maps compiler errors back to the article's line.

With --runner, the file also gets an `@main` type that calls every block in turn, so the examples'
`assert`s are checked too. A block that serves forever (it calls `.run()`), or one whose first line
is `// compile only` (it needs files or services the build machine does not have), is compiled, not
run.
"""
import pathlib
import re
import sys


def blocks(path):
    """(first line number of the code, code lines) for each ```swift block."""
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        if lines[index].strip() == "```swift":
            start = index + 1
            end = start
            while end < len(lines) and lines[end].strip() != "```":
                end += 1
            if end == len(lines):
                sys.exit(f"{path}:{index + 1}: a ```swift block is not closed")
            yield start + 1, lines[start:end]
            index = end
        index += 1


def main():
    arguments = sys.argv[1:]
    runner = "--runner" in arguments
    arguments = [argument for argument in arguments if argument != "--runner"]
    if len(arguments) != 2:
        sys.exit(__doc__)
    catalog, output = pathlib.Path(arguments[0]), pathlib.Path(arguments[1])
    runnable = []
    out = ["import Werk", ""]
    count = 0
    for article in sorted(catalog.glob("*.md")):
        name = re.sub(r"\W", "_", article.stem)
        for number, (line, code) in enumerate(blocks(article), start=1):
            count += 1
            location = f'#sourceLocation(file: "{article.resolve()}", line: {line})'
            if code and code[0].strip() == "// toplevel":
                out += [location] + code + ["#sourceLocation()", ""]
            else:
                function = f"doc_{name}_{number}"
                out += [f"func {function}() async throws {{", location] + code
                out += ["#sourceLocation()", "}", ""]
                serves = any(".run()" in line and not line.lstrip().startswith("//") for line in code)
                compile_only = bool(code) and code[0].strip() == "// compile only"
                if not serves and not compile_only:
                    runnable.append((function, f"{article.name}:{line}"))
    if runner:
        out += ["@main", "enum DocSnippetsRunner {", "    static func main() async throws {"]
        for function, where in runnable:
            out.append(f'        print("{where}"); try await {function}()')
        out += [f'        print("{len(runnable)} blocks ran")', "    }", "}"]
    output.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{count} swift blocks from {catalog} -> {output}")


main()

#!/usr/bin/env python3
# Vendored from the team's shared/tools/layout.py (2026-12-03), unchanged below: CI may not have
# shared/. Run as `python3 scripts/layout.py statusline` (.ci/run does, last).
"""Layout check for the package: import cycles between modules and between sub-packages (imports
inside `if TYPE_CHECKING:` do not count; imports inside functions do), and module sizes.

usage: layout.py PACKAGE_DIR [--max-lines 350]
Prints the cycles and the big modules, and a last line with the counts; exit 0 when none.
"""
import ast
import os
import sys


def modules(root):
    pkg = os.path.basename(root.rstrip("/"))
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith(".py"):
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, os.path.dirname(root.rstrip("/")))[:-3].replace(os.sep, ".")
                if rel.endswith(".__init__"):
                    rel = rel[: -len(".__init__")]
                out[rel] = path
    return pkg, out


def imports(path, name, is_pkg):
    tree = ast.parse(open(path, encoding="utf-8").read())
    found = set()

    def visit(node, skip):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for c in child.orelse:
                    visit_node(c, skip)
                continue
            visit_node(child, skip)

    def visit_node(child, skip):
        if isinstance(child, ast.Import):
            for a in child.names:
                found.add(a.name)
        elif isinstance(child, ast.ImportFrom):
            base = child.module or ""
            if child.level:
                parts = name.split(".")
                if not is_pkg:
                    parts = parts[:-1]
                parts = parts[: len(parts) - (child.level - 1)]
                base = ".".join(parts + ([base] if base else []))
            for a in child.names:
                found.add(base + "." + a.name)
                found.add(base)
        visit(child, skip)

    visit(tree, False)
    return found


def resolve(target, mods):
    while target:
        if target in mods:
            return target
        target = target.rpartition(".")[0]
    return None


def sccs(graph):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]; counter[0] += 1
        stack.append(v); on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in list(graph):
        if v not in index:
            strong(v)
    return out


def main():
    root = sys.argv[1]
    max_lines = int(sys.argv[sys.argv.index("--max-lines") + 1]) if "--max-lines" in sys.argv else 350
    pkg, mods = modules(root)
    graph = {}
    for name, path in mods.items():
        is_pkg = path.endswith("__init__.py")
        deps = set()
        for t in imports(path, name, is_pkg):
            r = resolve(t, mods)
            if r and r != name and not (is_pkg and r.startswith(name + ".")) and not name.startswith(r + ".") :
                deps.add(r)
        graph[name] = deps
    mod_cycles = sccs(graph)
    def group(m):
        parts = m.split(".")
        return ".".join(parts[:2]) if len(parts) > 1 else m
    pgraph = {}
    for a, deps in graph.items():
        for b in deps:
            if group(a) != group(b):
                pgraph.setdefault(group(a), set()).add(group(b))
    pkg_cycles = [c for c in sccs(pgraph)]
    big = sorted(((sum(1 for _ in open(p, encoding="utf-8")), n) for n, p in mods.items()), reverse=True)
    big = [(l, n) for l, n in big if l > max_lines]
    for c in mod_cycles:
        print("module cycle:", " <-> ".join(c))
    for c in pkg_cycles:
        print("package cycle:", " <-> ".join(c))
    for l, n in big:
        print(f"over {max_lines} lines: {n} ({l})")
    print(f"{len(mods)} modules; {len(mod_cycles)} module cycles, {len(pkg_cycles)} package cycles, {len(big)} modules over {max_lines} lines")
    sys.exit(0 if not (mod_cycles or pkg_cycles or big) else 1)


if __name__ == "__main__":
    main()

"""Build the importable Fabric notebooks (*.ipynb) from src/*.py (percent format).

Each `# %% include: FILE` line inlines FILE as one code cell, so every notebook carries the
contract schemas and the shared lakehouse code and imports into Fabric on its own. The build is
deterministic (no outputs, no execution counts); tests check the committed notebooks equal a
fresh build.

    python3 fabric/notebooks/build.py          # rewrite fabric/notebooks/nb_*.ipynb
    python3 fabric/notebooks/build.py --check  # exit 1 when a notebook is stale
"""

import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
SRC = HERE / "src"

METADATA = {
    "kernelspec": {"display_name": "Synapse PySpark", "language": "Python", "name": "synapse_pyspark"},
    "language_info": {"name": "python"},
    "microsoft": {"language": "python", "language_group": "synapse_pyspark"},
}


def _cell(kind, lines, tags=None):
    text = "\n".join(lines).strip("\n")
    source = [line + "\n" for line in text.split("\n")]
    if source:
        source[-1] = source[-1].rstrip("\n")
    metadata = {"tags": tags} if tags else {}
    if kind == "markdown":
        return {"cell_type": "markdown", "metadata": metadata, "source": source}
    return {"cell_type": "code", "execution_count": None, "metadata": metadata, "outputs": [], "source": source}


def cells_of(path: pathlib.Path):
    cells, kind, tags, lines = [], None, None, []

    def flush():
        if kind is not None and any(line.strip() for line in lines):
            if kind == "markdown":
                cells.append(_cell("markdown", [line[2:] if line.startswith("# ") else line.lstrip("#") for line in lines]))
            else:
                cells.append(_cell("code", lines, tags))

    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("# %%"):
            flush()
            header = line[4:].strip()
            lines, tags = [], None
            if header.startswith("include:"):
                included = (path.parent / header[len("include:"):].strip()).resolve()
                sub = cells_of(included) if included.read_text(encoding="utf-8").startswith("# %%") else [
                    _cell("code", [f"# ---- {included.name} (inlined from fabric/notebooks/lib) ----", *included.read_text(encoding="utf-8").split("\n")])
                ]
                cells.extend(sub)
                kind = None
                continue
            if header.startswith("[markdown]"):
                kind = "markdown"
            else:
                kind = "code"
                if 'tags=["parameters"]' in header:
                    tags = ["parameters"]
            continue
        lines.append(line)
    flush()
    return cells


def build(name: str) -> str:
    nb = {"cells": cells_of(SRC / f"{name}.py"), "metadata": METADATA, "nbformat": 4, "nbformat_minor": 5}
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = f"{name}-{i:02d}"
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def notebook_names():
    return sorted(p.stem for p in SRC.glob("nb_*.py"))


def main(argv):
    stale = []
    for name in notebook_names():
        target = HERE / f"{name}.ipynb"
        text = build(name)
        if "--check" in argv:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(target.name)
        else:
            target.write_text(text, encoding="utf-8")
    if stale:
        print("stale notebooks (run python3 fabric/notebooks/build.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

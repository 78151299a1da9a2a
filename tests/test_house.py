"""The house rules that keep cxdata usable without Streamlit and every chart in one place."""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _plain_modules() -> list[Path]:
    return [p for p in (ROOT / "cxdata").rglob("*.py") if (ROOT / "cxdata" / "app") not in p.parents]


def test_only_cxdata_app_imports_streamlit():
    offenders = [str(p.relative_to(ROOT)) for p in _plain_modules() if "streamlit" in _imported_modules(p)]
    assert offenders == []
    assert "streamlit" in _imported_modules(ROOT / "cxdata" / "app" / "frame.py")  # the check can see imports


def test_plain_cxdata_imports_without_streamlit_loaded():
    """Importing every plain module (as the CLI and a notebook do) must not pull Streamlit in."""
    names = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                   for p in _plain_modules())
    code = ("import importlib, sys\n"
            f"for name in {names!r}: importlib.import_module(name)\n"
            "print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_readme_says_each_thing_once_and_lists_every_doc():
    """No line pasted twice (a Documentation entry once stood in "Load your own data" too), and the
    Documentation list names every page of docs/."""
    lines = [line.strip() for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith(("```", "|---"))]
    assert sorted({line for line in lines if lines.count(line) > 1}) == []
    listed = [line for line in lines if line.startswith("- [docs/")]
    assert sorted(line.split("]")[0][3:] for line in listed) == sorted(
        f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md"))

"""The course's front-end files (reveal.js 4, MathJax 2, require.js, jQuery), installed from the npm
registry with the versions pinned in ``web/package-lock.json``, and copied where a deck or the book needs
them. Only the files a page loads are copied (about 2 MB), never whole packages.

Used by tools/make_slides.py and tools/make_book.py; ``python tools/vendor_web.py DIR`` copies the
files into DIR by hand, ``python tools/vendor_web.py --install`` only runs ``npm ci``.
"""

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WEB = REPO / "web"
NODE_MODULES = WEB / "node_modules"
LOCK = WEB / "package-lock.json"
STAMP_NAME = ".vendored-from"

# (package, path inside it, path in the copy); a folder is copied whole unless its name is in SKIP
FILES = [
    ("reveal.js", "dist/reveal.js", "reveal.js/dist/reveal.js"),
    ("reveal.js", "dist/reveal.css", "reveal.js/dist/reveal.css"),
    ("reveal.js", "plugin/notes/notes.js", "reveal.js/plugin/notes/notes.js"),
    ("reveal.js", "LICENSE", "reveal.js/LICENSE"),
    ("mathjax", "MathJax.js", "mathjax/MathJax.js"),
    ("mathjax", "LICENSE", "mathjax/LICENSE"),
    ("mathjax", "config/TeX-AMS_CHTML-full.js", "mathjax/config/TeX-AMS_CHTML-full.js"),
    ("mathjax", "config/Safe.js", "mathjax/config/Safe.js"),
    ("mathjax", "extensions", "mathjax/extensions"),
    ("mathjax", "jax/input/TeX", "mathjax/jax/input/TeX"),
    ("mathjax", "jax/element", "mathjax/jax/element"),
    ("mathjax", "jax/output/CommonHTML", "mathjax/jax/output/CommonHTML"),
    ("mathjax", "jax/output/PreviewHTML", "mathjax/jax/output/PreviewHTML"),
    ("mathjax", "fonts/HTML-CSS/TeX/woff", "mathjax/fonts/HTML-CSS/TeX/woff"),
    ("mathjax", "localization/en", "mathjax/localization/en"),
    ("requirejs", "require.js", "require.js"),
    ("jquery", "dist/jquery.min.js", "jquery.min.js"),
]
# our pages load MathJax with the CommonHTML output only; the accessibility explorer (3.7 MB) is never loaded
SKIP = {"a11y"}

MATHJAX_CONFIG = "TeX-AMS_CHTML-full,Safe"


class VendorError(RuntimeError):
    """The front-end packages could not be installed (npm missing or failing)."""


def lock_digest():
    return hashlib.sha256(LOCK.read_bytes()).hexdigest()[:16]


def install(quiet=True):
    """Run ``npm ci`` in web/ unless web/node_modules already holds what package-lock.json pins."""
    stamp = NODE_MODULES / STAMP_NAME
    if stamp.exists() and stamp.read_text().strip() == lock_digest():
        return NODE_MODULES
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError(
            "npm is not installed: the offline decks and the book copy reveal.js, MathJax, require.js and jQuery "
            "from the npm registry (web/package-lock.json). Install Node.js and npm "
            "(Debian/Ubuntu: `apt-get install npm`; macOS: `brew install node`), then run the command again.")
    command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"] + (["--silent"] if quiet else [])
    result = subprocess.run(command, cwd=WEB, capture_output=True, text=True)
    if result.returncode != 0:
        raise VendorError(f"`npm ci` in {WEB} failed:\n{result.stdout}\n{result.stderr}")
    stamp.write_text(lock_digest() + "\n")
    return NODE_MODULES


def copy_into(target, packages=None):
    """Copy the files our pages load into ``target`` (created), from every package or only from
    ``packages`` (e.g. {"mathjax"}); skip if ``target`` is already up to date."""
    install()
    target = Path(target)
    stamp = target / STAMP_NAME
    if stamp.exists() and stamp.read_text().strip() == lock_digest():
        return target
    ignore = shutil.ignore_patterns(*SKIP)
    for package, source, dest in FILES:
        if packages is not None and package not in packages:
            continue
        src, dst = NODE_MODULES / package / source, target / dest
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=ignore, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)
    stamp.write_text(lock_digest() + "\n")
    return target


def size_mb(folder):
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file()) / 1e6


def main(argv):
    if argv == ["--install"]:  # only `npm ci` (CI's set-up step)
        print(f"{install()}: reveal.js, MathJax, require.js, jQuery as pinned in {LOCK.name}")
        return 0
    if len(argv) != 1 or argv[0].startswith("-"):
        print("usage: vendor_web.py TARGET_DIR | --install", file=sys.stderr)
        return 2
    folder = copy_into(argv[0])
    print(f"{folder}: {size_mb(folder):.1f} MB")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except VendorError as error:
        sys.exit(str(error))

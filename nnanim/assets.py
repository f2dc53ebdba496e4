"""What pages are made of: nnanim's templates (nnanim/templates, filled by `fill`, Python's
string.Template: `$name`), and the JavaScript packages (reveal.js, KaTeX), found where nnanim is.

The packages come from npm (package.json pins them). A checkout has them in node_modules after `npm ci`; the
Makefile copies what pages need into nnanim/vendor/ (not committed), and a wheel built from the checkout
carries that folder, so a pip-installed nnanim writes offline pages too.
"""

from importlib.resources import files
from pathlib import Path
from string import Template

from nnanim.errors import NnanimError

PACKAGES = ("reveal.js", "katex")
REVEAL_VERSION = "6.0.2"  # as pinned in package.json (tests/test_slides.py checks they agree)
REVEAL_CDN = f"https://cdn.jsdelivr.net/npm/reveal.js@{REVEAL_VERSION}"
_CHECKOUT = Path(__file__).resolve().parent.parent


class AssetError(NnanimError):
    """A package a page needs is not here; one line for the user."""


def package_dir(name, given=None):
    """The folder of npm package `name` (one with dist/ in it): `given`, the one inside nnanim, or a
    checkout's node_modules."""
    if given is not None:
        if not (Path(given) / "dist").is_dir():
            raise AssetError(f"{given} is not a {name} package (no dist/ folder in it)")
        return Path(given)
    candidates = [Path(str(files("nnanim").joinpath("vendor", name))), Path("node_modules", name),
                  _CHECKOUT / "node_modules" / name]
    for path in candidates:
        if (path / "dist").is_dir():
            return path
    raise AssetError(f"{name} is not installed with this nnanim: in a checkout run `make setup` (it runs "
                     f"`npm ci`); or pass the package's folder; or use --cdn for a page that loads it online")


def fill(name, **data):
    """The template nnanim/templates/NAME with each `$key` replaced by data[key] (already escaped)."""
    return Template(files("nnanim").joinpath("templates", name).read_text()).substitute(**data)

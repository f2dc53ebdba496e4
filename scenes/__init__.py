"""nnanim.scenes: Manim Community scenes that replay nnanim traces.

`registry` knows every scene and `options` every option, without importing Manim.
"""

if __name__ != "nnanim.scenes":  # this folder imported by its bare name: a second copy of every class
    raise ImportError(f"this folder is nnanim.scenes: import nnanim.scenes (or `from nnanim import ...`), not {__name__}")

"""nnanim.scenes: Manim Community scenes that replay nnanim traces.

`registry` knows every scene and `options` every option, without importing Manim.
"""

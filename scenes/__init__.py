"""Manim Community scenes that replay nnanim traces (see the later issues)."""

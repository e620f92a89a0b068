"""Renderers: each turns a result object into text. Nothing here computes money."""

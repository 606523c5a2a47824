"""Renderers turn one ``Report`` into a terminal view, JSON, and (later) HTML and Markdown."""

"""Thin blueprints: HTML pages, the JSON API under /api/v1, health and error handlers."""

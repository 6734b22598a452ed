"""Core's web layer: middleware, error pages, the page helper and core's own pages."""

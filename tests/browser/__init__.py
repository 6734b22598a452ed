"""Browser tests: headless Chromium (Playwright, sync API) against a real ``arkivrutiner serve``."""

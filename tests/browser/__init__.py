"""Browser journeys and accessibility checks (Playwright + axe, system Chromium)."""

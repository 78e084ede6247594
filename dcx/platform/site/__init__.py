"""The showcase's front door: home page, language switch, error pages."""

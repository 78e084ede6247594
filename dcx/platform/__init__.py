"""The shared platform: services every vertical uses. It never imports a vertical."""

"""Showcases: files in ``seeds/`` with a brand, personas and each vertical's data."""

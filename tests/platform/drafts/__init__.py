"""Tests of the cross-device form drafts."""

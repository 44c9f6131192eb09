"""Tests of the first-run wizard, the settings dialog, autostart entries and translations."""

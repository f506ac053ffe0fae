"""Tests of the doctor's fixes: unit, golden files, and the fixes applied to real servers."""

"""newsflow test suite: one test module per project module."""

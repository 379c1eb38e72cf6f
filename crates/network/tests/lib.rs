// Integration tests.
